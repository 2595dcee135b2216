"""Dependency parses of the few claims a discrepancy check looks at.

Loading parses sentences and entities only (the fast path); comparing two statements needs to know
which word a value belongs to, so the claims that reach a comparison are parsed again here with the
full pipeline of the same pinned model (tagger, parser, lemmatizer, entities), once per text.

>>> doc = parse(["Mr. Smith did not sign the bill on Tuesday."])[0]
>>> [t.text for t in doc if t.dep_ == "neg"]
['not']
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Sequence

from ..ingest.nlp import MODELS

_CACHE: "OrderedDict[str, object]" = OrderedDict()
_CACHE_SIZE = 50_000


@functools.lru_cache(maxsize=1)
def full_pipeline():
    """The pinned English model with its parser; None when no trained model is installed."""
    import spacy

    for model in MODELS:
        try:
            return spacy.load(model)
        except OSError:
            continue
    return None


def parse(texts: Sequence[str]) -> list:
    """spaCy Docs of ``texts`` (None for each when no trained model is installed), cached by text."""
    nlp = full_pipeline()
    if nlp is None:
        return [None] * len(texts)
    todo = [t for t in dict.fromkeys(texts) if t not in _CACHE]
    for t, doc in zip(todo, nlp.pipe(todo, batch_size=64)):
        _CACHE[t] = doc
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return [_CACHE.get(t) for t in texts]
