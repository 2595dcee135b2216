"""Scoring candidate pairs: rapidfuzz scorers on normalised text, and the specific facts (anchors)
that let a rewritten report of the same event match at a lower score.

>>> float(score_pairs(["russia and ukraine swapped 84 prisoners"], ["ukraine and russia swapped 84 prisoners"],
...                   "token_sort_ratio")[0])
100.0
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

from ..claims.values import find_dates, find_numbers

SCORERS: dict[str, Callable] = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "token_ratio": fuzz.token_ratio,
    "partial_token_sort_ratio": fuzz.partial_token_sort_ratio,
    "WRatio": fuzz.WRatio,
}

def combined_scores(a: list[str], b: list[str], *, workers: int = -1) -> np.ndarray:
    """The ``scorer="factbench"`` score of aligned text pairs (the default is token_sort_ratio): the mean
    of token_sort_ratio (word order ignored, every word counts) and token_set_ratio (shared words weigh most). token_set_ratio alone scores a
    sentence whose words are a subset of another's as 100; the mean keeps the extra words in view."""
    s1 = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=workers)
    s2 = process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=workers)
    return (s1.astype(np.float64) + s2) / 2


def anchors(claims: pd.DataFrame) -> list[set]:
    """Specific facts of each claim that two reports of one event share: calendar dates and counts
    of 10 or more (years and small numbers are too common to tie statements together)."""
    out = []
    has = "dates" in claims.columns and "numbers" in claims.columns
    for k, text in enumerate(claims["text"]):
        if has:
            dates, numbers = claims["dates"].iat[k], claims["numbers"].iat[k]
        else:
            ds = find_dates(text)
            dates, numbers = [d.iso for d in ds], [q.value for q in find_numbers(text, skip=[(d.start, d.end) for d in ds])]
        a = {"date:" + str(d)[-5:] for d in (dates if isinstance(dates, (list, tuple, np.ndarray)) else [])}
        a |= {f"num:{float(v):g}" for v in (numbers if isinstance(numbers, (list, tuple, np.ndarray)) else [])
              if float(v) >= 10 and not (1900 <= float(v) <= 2099 and float(v) == int(float(v)))}
        out.append(a)
    return out


def score_pairs(a: list[str], b: list[str], scorer) -> np.ndarray:
    if scorer == "factbench":
        return combined_scores(a, b)
    fn = SCORERS[scorer] if isinstance(scorer, str) else scorer
    return process.cpdist(a, b, scorer=fn, workers=-1).astype(np.float64)


