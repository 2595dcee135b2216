"""factbench: a fact-check workbench for Jupyter.

>>> import factbench as fb
>>> sorted(n for n in ("load", "score_checkworthiness", "Corpus") if hasattr(fb, n))
['Corpus', 'load', 'score_checkworthiness']
"""

__version__ = "0.1.0"

from .claims.checkworthiness import explain, score_checkworthiness  # noqa: E402
from .corpus import Corpus  # noqa: E402
from .findings.discrepancies import discrepancies  # noqa: E402
from .findings.events import events  # noqa: E402
from .matching.groups import StatementGroups, group, statement_groups  # noqa: E402
from .review.magic import load_ipython_extension, unload_ipython_extension  # noqa: E402
from .findings.hints import hints  # noqa: E402
from .matching.match import match  # noqa: E402
from .matching.semantic import similarity  # noqa: E402
from .storage.agreement import agreement, disagreements  # noqa: E402
from .storage.export import export_claimreview, export_csv, export_jsonl  # noqa: E402
from .review.session import ReviewSession  # noqa: E402
from .storage.store import StoreError, VerdictStore  # noqa: E402
from .claims.load import DEFAULT_THRESHOLD, load  # noqa: E402
from .schema import SchemaError  # noqa: E402
from .ingest.sources import InputError  # noqa: E402
from .ingest.text import normalise  # noqa: E402

__all__ = ["load", "Corpus", "match", "similarity", "group", "discrepancies", "events", "hints", "VerdictStore",
           "StoreError",
           "ReviewSession", "ReviewPanel", "export_csv", "export_jsonl", "export_claimreview", "agreement",
           "disagreements", "statement_groups", "StatementGroups", "load_ipython_extension",
           "unload_ipython_extension", "score_checkworthiness", "explain", "normalise", "InputError", "SchemaError",
           "DEFAULT_THRESHOLD", "__version__"]


def __getattr__(name):
    # the widget layer (ipywidgets) loads only when asked for
    if name == "ReviewPanel":
        from .review.widgets import ReviewPanel

        return ReviewPanel
    raise AttributeError(f"module 'factbench' has no attribute {name!r}")
