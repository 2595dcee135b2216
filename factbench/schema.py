"""The contract between stages: every table's columns and dtypes, in one place.

Each stage builds its output with :func:`empty` / :func:`conform` and checks its input with
:func:`check`, so a missing column fails where the stages meet, naming the table and column.

>>> import pandas as pd
>>> df = conform(pd.DataFrame({"article_id": ["a1"], "text": ["Hi."]}), "articles")
>>> list(df.columns) == list(TABLES["articles"])
True
>>> check(df, "articles") is df
True
>>> check(pd.DataFrame({"text": ["x"]}), "articles")
Traceback (most recent call last):
...
factbench.schema.SchemaError: articles table is missing column(s): article_id, outlet, title, published, url, source_path
"""

from __future__ import annotations

import pandas as pd

STR = "string"
INT = "int64"
FLOAT = "float64"
BOOL = "bool"
OBJ = "object"  # lists / dicts

TABLES: dict[str, dict[str, str]] = {
    "articles": {
        "article_id": STR,
        "outlet": STR,
        "title": STR,
        "published": STR,  # ISO date (YYYY-MM-DD) or empty when the source gives none
        "url": STR,
        "source_path": STR,
        "text": STR,  # the cleaned text; all offsets point into it
    },
    "sentences": {
        "sentence_id": STR,
        "article_id": STR,
        "position": INT,
        "start": INT,
        "end": INT,
        "text": STR,
        "checkworthiness": FLOAT,
    },
    "claims": {
        "claim_id": STR,
        "sentence_id": STR,
        "article_id": STR,
        "outlet": STR,
        "text": STR,
        "start": INT,
        "end": INT,
        "checkworthiness": FLOAT,
        "numbers": OBJ,  # list[float]
        "dates": OBJ,  # list[str], ISO (YYYY-MM-DD, or --MM-DD when no year is known)
        "entities": OBJ,  # list[dict(text, label)]
        "quote": STR,  # direct speech inside the claim, or ""
        "speaker": STR,  # who is said to say it, or ""
        "sourcing": STR,  # named | anonymous | none
        "hedged": BOOL,
        "event_id": STR,  # the event its article reports (fb.events), or "" before events are found
    },
    "pairs": {
        "claim_id_l": STR,
        "claim_id_r": STR,
        "article_id_l": STR,
        "article_id_r": STR,
        "outlet_l": STR,
        "outlet_r": STR,
        "score": FLOAT,
        "method": STR,
        "event_id": STR,  # the event both claims belong to, or "" (not known, or two events)
    },
    "groups": {
        "claim_id": STR,
        "group_id": STR,
        "group_size": INT,
    },
    "flags": {
        "flag_id": STR,  # stable: the two claims, the kind and both values; a reviewer's dismissal names it
        "claim_id_l": STR,
        "claim_id_r": STR,
        "event_id": STR,
        "kind": STR,  # date | number | duration | ordinal | person | place | title | negation; against_source adds name, wording
        "value_l": STR,  # as written
        "value_r": STR,
        "norm_l": STR,  # normalised ("--06-20", "21 days", "15.5–16.5", "flynn, m")
        "norm_r": STR,
        "text_l": STR,  # both sentences
        "text_r": STR,
        "role": STR,  # the slot both values fill, e.g. "date of the exchange", "number of bill"
        "explanation": STR,  # why they cannot both hold
        "confidence": FLOAT,  # 0..1; flags come sorted by it
    },
    "events": {
        "article_id": STR,
        "event_id": STR,
        "label": STR,  # the happening, its dates and main actors, e.g. "exchange July 4 (Russia, Ukraine)"
        "dates": OBJ,  # list[str]: the days the articles give their main happening (--MM-DD or ISO)
        "actors": OBJ,  # list[str]: the names most mentioned
    },
}

SOURCING = ("named", "anonymous", "none")


class SchemaError(ValueError):
    """A table does not have the columns a stage needs."""


def empty(name: str) -> pd.DataFrame:
    """An empty table with the right columns and dtypes."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in TABLES[name].items()})


def conform(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Return ``df`` with the table's columns, in order, cast to their dtypes.

    Missing string columns become "", missing numbers 0, missing lists []."""
    spec = TABLES[name]
    out = {}
    n = len(df)
    for col, dtype in spec.items():
        if col in df.columns:
            s = df[col]
        elif dtype == STR:
            s = pd.Series([""] * n, index=df.index)
        elif dtype == OBJ:
            s = pd.Series([[] for _ in range(n)], index=df.index, dtype=object)
        elif dtype == BOOL:
            s = pd.Series([False] * n, index=df.index)
        else:
            s = pd.Series([0] * n, index=df.index)
        if dtype == STR:
            s = s.astype(object).where(s.notna(), "").astype(str).astype(STR)
        elif dtype != OBJ:
            s = s.astype(dtype)
        out[col] = s
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)


def check(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Raise :class:`SchemaError` if ``df`` lacks any column of table ``name``; return ``df``."""
    if not isinstance(df, pd.DataFrame):
        raise SchemaError(f"{name} table must be a pandas DataFrame, got {type(df).__name__}")
    missing = [c for c in TABLES[name] if c not in df.columns]
    if missing:
        raise SchemaError(f"{name} table is missing column(s): {', '.join(missing)}")
    return df
