"""basil_dev's own score.py, imported from the development data, so the benchmarks read events and map
claims to labelled sentences with its definitions instead of copies of them."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=None)
def score_module(devdata: Path):
    """``devdata/basil_dev/score.py`` as a module (read_event, to_gold_ids, gold_pairs, …)."""
    path = Path(devdata) / "basil_dev" / "score.py"
    spec = importlib.util.spec_from_file_location("basil_dev_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
