"""Check-worthiness: how much a sentence looks like a verifiable factual statement.

An explainable linear model over named features (numbers, dates, named actors, comparisons, past-tense
events, attribution, and what lowers a score: questions, greetings, first-person opinion, promises).
The weights were fitted by logistic regression on the public CLEF 2019 CheckThat! training debates
(``benchmarks/tune_checkworthiness.py`` refits them and prints leave-one-debate-out figures); the data
itself is not shipped.

>>> scores = score_checkworthiness(["Unemployment fell to 3.5 percent in 2019, the lowest in 50 years.",
...                                 "Thank you very much, everybody."])
>>> bool(scores[0] > 0.5 > scores[1])
True
>>> explain("Thank you very much.")[0][0]
'thanks_greeting'
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from .lexicon import LEXICAL_FEATURES

FEATURES_VERSION = "cw3"


_ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY",
                  "ORDINAL", "EVENT", "LAW")

FEATURE_NAMES: tuple[str, ...] = (
    tuple(LEXICAL_FEATURES)
    + tuple(f"ent_{lab.lower()}" for lab in _ENTITY_LABELS)
    + ("words_log", "short", "long")
)

# Fitted weights (see module docstring). Positive raises the score.
BIAS = -1.3617
WEIGHTS: dict[str, float] = {
    "digits": 0.8890, "percent": 0.3247, "money": 0.7577, "number_words": 0.2980, "year": -0.3063,
    "comparison": 0.1744, "past_event": 0.2385, "attribution": 0.4616, "institution": -0.1885, "policy_terms": 0.5517,
    "question": -1.2479, "thanks_greeting": -2.9921, "first_person_opinion": -0.5409, "future_promise": -0.5597, "modal": -0.2891,
    "first_person": -0.4075, "second_person": 0.0034, "hedge": -0.0554, "quote": -0.0415, "interjection": -0.2782,
    "ent_person": -0.0274, "ent_org": 0.3538, "ent_gpe": -0.0170, "ent_norp": 0.2317, "ent_date": 0.0077,
    "ent_cardinal": 0.2034, "ent_money": -0.1678, "ent_percent": 0.8000, "ent_quantity": -0.9146, "ent_ordinal": 0.1348,
    "ent_event": -0.5184, "ent_law": 0.2302, "words_log": 0.4543, "short": -0.2329, "long": 0.5373,
}


def _word_count(text: str) -> int:
    return len(text.split())


def features(text: str, entity_labels: Sequence[str] = ()) -> dict[str, float]:
    """The named feature values of one sentence (``entity_labels``: spaCy labels of its entities)."""
    f: dict[str, float] = {name: float(min(len(rx.findall(text)), 3)) for name, rx in LEXICAL_FEATURES.items()}
    f["digits"] = float(bool(f["digits"]))
    for lab in _ENTITY_LABELS:
        f[f"ent_{lab.lower()}"] = float(min(sum(1 for x in entity_labels if x == lab), 3))
    n = _word_count(text)
    f["words_log"] = math.log1p(n)
    f["short"] = float(n < 7)
    f["long"] = float(n > 45)
    return f


def feature_matrix(texts: Sequence[str], entity_labels: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """Rows of :data:`FEATURE_NAMES` values for many sentences."""
    labels = entity_labels if entity_labels is not None else [()] * len(texts)
    return np.array([[f[k] for k in FEATURE_NAMES] for f in (features(t, l) for t, l in zip(texts, labels))],
                    dtype=np.float64).reshape(len(texts), len(FEATURE_NAMES))


_W = np.array([WEIGHTS[k] for k in FEATURE_NAMES])


def score_matrix(x: np.ndarray) -> np.ndarray:
    """Probabilities (0..1) from a feature matrix."""
    return 1.0 / (1.0 + np.exp(-(x @ _W + BIAS)))


def _entity_labels(texts: Sequence[str], nlp=None) -> list[list[str]]:
    from ..ingest.nlp import get_nlp

    nlp = nlp or get_nlp()
    if "ner" not in nlp.pipe_names:
        return [[] for _ in texts]
    return [[e.label_ for e in doc.ents] for doc in nlp.pipe(texts, batch_size=256)]


def score_checkworthiness(texts: Iterable[str], *, nlp=None, entities: bool = True) -> np.ndarray:
    """Score sentences 0..1 with the scorer the claims table uses (batched through ``nlp.pipe``).

    ``entities=False`` skips the entity recogniser (faster, slightly weaker)."""
    texts = [str(t) for t in texts]
    labels = _entity_labels(texts, nlp) if entities and texts else None
    return score_matrix(feature_matrix(texts, labels))


def explain(text: str, entity_labels: Sequence[str] | None = None, *, nlp=None) -> list[tuple[str, float]]:
    """Feature contributions (weight × value) to a sentence's score, largest effect first, zeros left out."""
    if entity_labels is None:
        entity_labels = _entity_labels([text], nlp)[0]
    f = features(text, entity_labels)
    contrib = [(k, round(WEIGHTS[k] * v, 4)) for k, v in f.items() if WEIGHTS[k] * v != 0]
    return sorted(contrib, key=lambda kv: -abs(kv[1]))
