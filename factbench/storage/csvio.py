"""Writing tables to CSV safely: lists as JSON, spreadsheet formulas neutralised, written atomically.

>>> import pandas as pd
>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5 soldiers"), neutralise("ok")
('\\'=HYPERLINK("http://x")', "'-5 soldiers", 'ok')
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(v):
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return json.dumps(v.tolist(), ensure_ascii=False, default=str)
    return v


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for CSV: list cells as JSON, text cells neutralised."""
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object or str(s.dtype) == "string":
            out[col] = s.map(lambda v: neutralise(_cell(v)) if isinstance(_cell(v), str) else _cell(v))
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` as UTF-8 RFC 4180 CSV; the file appears whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            safe_frame(df).to_csv(fh, index=False, lineterminator="\r\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
