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
    """Specific facts of each claim that two reports of one event share: calendar dates, and counts of 10
    or more written in digits or as exact number words. Years and small numbers are too common to tie
    statements together, and vague quantities ("dozens", "thousands") are never facts."""
    return [fact_of(t) for t in claims["text"]]


def fact_of(text) -> set:
    """The specific facts of one text (see :func:`anchors`)."""
    from .semantic import facts

    return facts(str(text))


def content_overlap(a: str, b: str) -> float:
    """token_set_ratio of the content words (no function words, no numbers) of two texts, 0..100: a shared
    fact lowers the bar only for statements that also share what they are about.

    >>> content_overlap("The talks were held on June 2 in Istanbul.", "Oil prices fell 25% on June 2.") < 60
    True
    """
    return float(fuzz.token_set_ratio(content_words(a), content_words(b)))


def content_words(text: str) -> str:
    """The normalised words of a text without function words, numbers, months and weekdays."""
    from ..ingest.text import normalise

    return " ".join(w for w in normalise(text, stop_words=True).split() if not w.isdigit() and w not in _DATE_WORDS)


_DATE_WORDS = set("january february march april may june july august september october november december "
                  "monday tuesday wednesday thursday friday saturday sunday".split())


def score_pairs(a: list[str], b: list[str], scorer) -> np.ndarray:
    if scorer == "factbench":
        return combined_scores(a, b)
    fn = SCORERS[scorer] if isinstance(scorer, str) else scorer
    return process.cpdist(a, b, scorer=fn, workers=-1).astype(np.float64)


