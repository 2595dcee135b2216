"""factbench: a fact-check workbench for Jupyter.

>>> import factbench as fb
>>> sorted(n for n in ("load", "score_checkworthiness", "Corpus") if hasattr(fb, n))
['Corpus', 'load', 'score_checkworthiness']
"""

__version__ = "0.1.0"

from .checkworthiness import explain, score_checkworthiness  # noqa: E402
from .corpus import Corpus  # noqa: E402
from .discrepancy import discrepancies  # noqa: E402
from .groups import StatementGroups, group, statement_groups  # noqa: E402
from .magic import load_ipython_extension, unload_ipython_extension  # noqa: E402
from .hints import hints  # noqa: E402
from .match import match  # noqa: E402
from .agreement import agreement, disagreements  # noqa: E402
from .export import export_claimreview, export_csv, export_jsonl  # noqa: E402
from .session import ReviewSession  # noqa: E402
from .store import StoreError, VerdictStore  # noqa: E402
from .load import DEFAULT_THRESHOLD, load  # noqa: E402
from .schema import SchemaError  # noqa: E402
from .sources import InputError  # noqa: E402
from .text import normalise  # noqa: E402

__all__ = ["load", "Corpus", "match", "group", "discrepancies", "hints", "VerdictStore", "StoreError",
           "ReviewSession", "ReviewPanel", "export_csv", "export_jsonl", "export_claimreview", "agreement",
           "disagreements", "statement_groups", "StatementGroups", "load_ipython_extension",
           "unload_ipython_extension", "score_checkworthiness", "explain", "normalise", "InputError", "SchemaError",
           "DEFAULT_THRESHOLD", "__version__"]


def __getattr__(name):
    # the widget layer (ipywidgets) loads only when asked for
    if name == "ReviewPanel":
        from .widgets import ReviewPanel

        return ReviewPanel
    raise AttributeError(f"module 'factbench' has no attribute {name!r}")
