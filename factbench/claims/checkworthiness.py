"""Check-worthiness: how much a sentence looks like a verifiable factual statement.

Two explainable logistic regressions, stacked. The debate model ranks sentences the way fact-checkers
chose them in the public CLEF 2019 CheckThat! training debates, from named features (numbers,
dates, named actors, comparisons, past-tense events, attribution; and, lowering a score, questions,
greetings, first-person opinion, promises) and the sentence's words and word pairs (TF-IDF). The
news layer turns that into what a claim is here, a sentence asserting a checkable fact: it reweighs
the named features and the debate model's logit on news sentences labelled verifiable or not (the
BASIL development events). ``benchmarks/tune_checkworthiness.py --write`` refits both and prints
figures by held-out debate and held-out event; only weights are shipped
(``checkworthiness_model.json``), never the data. :func:`explain` lists each feature's and each
word's contribution.

>>> scores = score_checkworthiness(["Unemployment fell to 3.5 percent in 2019, the lowest in 50 years.",
...                                 "Thank you very much, everybody."])
>>> bool(scores[0] > 0.5 > scores[1])
True
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from .lexicon import LEXICAL_FEATURES

MODEL_PATH = __import__("pathlib").Path(__file__).with_name("checkworthiness_model.json")
#: names the features and the shipped weights (a refitted model file re-parses cached texts)
FEATURES_VERSION = "cw4-" + __import__("hashlib").sha1(MODEL_PATH.read_bytes()).hexdigest()[:10]


_ENTITY_LABELS = ("PERSON", "ORG", "GPE", "NORP", "DATE", "CARDINAL", "MONEY", "PERCENT", "QUANTITY",
                  "ORDINAL", "EVENT", "LAW")

FEATURE_NAMES: tuple[str, ...] = (
    tuple(LEXICAL_FEATURES)
    + tuple(f"ent_{lab.lower()}" for lab in _ENTITY_LABELS)
    + ("words_log", "short", "long")
)

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


_TFIDF = dict(ngram_range=(1, 2), sublinear_tf=True)


def fit_model(texts: Sequence[str], x: np.ndarray, y: np.ndarray, c: float = 1.0):
    """Fit the features + words model; returns (the fitted parts, the model as a JSON-able dict)."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(min_df=2, **_TFIDF)
    w = vec.fit_transform(texts)
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    lr = LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=3000)
    lr.fit(sparse.hstack([w, sparse.csr_matrix((x - mu) / sd)]).tocsr(), y)
    coef, nv = lr.coef_[0], w.shape[1]
    model = {"bias": round(float(lr.intercept_[0]), 5),
             "terms": {t: [round(float(i), 4), round(float(c_), 5)]
                       for t, i, c_ in zip(vec.get_feature_names_out(), vec.idf_, coef[:nv])},
             "features": {k: [round(float(m), 5), round(float(d), 5), round(float(c_), 5)]
                          for k, m, d, c_ in zip(FEATURE_NAMES, mu, sd, coef[nv:])}}
    return (vec, mu, sd, lr), model


def model_logits(parts, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
    """Logits of a model from :func:`fit_model` (used when cross-validating)."""
    from scipy import sparse

    vec, mu, sd, lr = parts
    return lr.decision_function(sparse.hstack([vec.transform(texts), sparse.csr_matrix((x - mu) / sd)]).tocsr())


_TOKEN = __import__("re").compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token pattern


def _tfidf_row(text: str, vocab: dict[str, int], idf: np.ndarray) -> tuple[list[int], np.ndarray]:
    """The sentence's TF-IDF row as scikit-learn's TfidfVectorizer(ngram_range=(1, 2),
    sublinear_tf=True) computes it with the shipped vocabulary: (column indices, l2-normalised values).
    Done here so that scoring needs no scikit-learn import."""
    toks = _TOKEN.findall(text.lower())
    counts: dict[int, int] = {}
    for g in toks + [f"{a} {b}" for a, b in zip(toks, toks[1:])]:
        j = vocab.get(g)
        if j is not None:
            counts[j] = counts.get(j, 0) + 1
    cols = list(counts)
    vals = np.array([(1.0 + math.log(counts[j])) * idf[j] for j in cols])
    norm = float(np.sqrt((vals ** 2).sum())) if cols else 0.0
    return cols, (vals / norm if norm else vals)


class _Model:
    """The shipped model, loaded once."""

    def __init__(self, d: dict):
        terms = list(d["terms"])
        self.vocab = {t: i for i, t in enumerate(terms)}
        self.idf = np.array([d["terms"][t][0] for t in terms])
        self.word_w = np.array([d["terms"][t][1] for t in terms])
        self.terms = terms
        f = d["features"]
        self.mu = np.array([f[k][0] for k in FEATURE_NAMES])
        self.sd = np.array([f[k][1] for k in FEATURE_NAMES])
        self.feat_w = np.array([f[k][2] for k in FEATURE_NAMES])
        self.bias = d["bias"]
        n = d["news"]
        self.news_w = np.array([n["features"][k] for k in FEATURE_NAMES])
        self.news_debate = n["debate"]  # [mean, sd, weight] of the debate logit
        self.news_bias = n["bias"]

    def words(self, text: str) -> tuple[list[int], np.ndarray]:
        return _tfidf_row(text, self.vocab, self.idf)

    def logits(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        """The debate model's logits (ranking CLEF debate sentences)."""
        words = np.array([float(v @ self.word_w[c]) if c else 0.0 for c, v in map(self.words, texts)])
        return words + ((x - self.mu) / self.sd) @ self.feat_w + self.bias

    def news_logits(self, texts: Sequence[str], x: np.ndarray) -> np.ndarray:
        """The news layer's logits: the named features and the debate logit, refitted on news."""
        mu, sd, w = self.news_debate
        return ((x - self.mu) / self.sd) @ self.news_w + w * (self.logits(texts, x) - mu) / sd + self.news_bias


def fit_news(x: np.ndarray, debate_logit: np.ndarray, y: np.ndarray, mu: np.ndarray, sd: np.ndarray,
             c: float = 0.3) -> dict:
    """The news layer: a logistic regression over the standardised named features and the debate
    model's logit, fitted on news sentences labelled verifiable or not."""
    from sklearn.linear_model import LogisticRegression

    dm, ds = float(debate_logit.mean()), float(debate_logit.std() + 1e-9)
    z = np.hstack([(x - mu) / sd, ((debate_logit - dm) / ds)[:, None]])
    lr = LogisticRegression(C=c, max_iter=2000).fit(z, y)
    w = lr.coef_[0]
    return {"bias": round(float(lr.intercept_[0]), 5), "debate": [round(dm, 5), round(ds, 5), round(float(w[-1]), 5)],
            "features": {k: round(float(v), 5) for k, v in zip(FEATURE_NAMES, w[:-1])}}


_MODEL: _Model | None = None


def model() -> _Model:
    global _MODEL
    if _MODEL is None:
        import json

        _MODEL = _Model(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    return _MODEL


def score_texts(texts: Sequence[str], x: np.ndarray) -> np.ndarray:
    """Check-worthiness (0..1) of sentences from their text and :func:`feature_matrix` rows: how
    likely each asserts a checkable fact, as the news layer scores it."""
    return 1.0 / (1.0 + np.exp(-model().news_logits(list(texts), x)))


def debate_scores(texts: Sequence[str], x: np.ndarray) -> np.ndarray:
    """The debate model alone (0..1): what fact-checkers chose to check in CLEF 2019 debates."""
    return 1.0 / (1.0 + np.exp(-model().logits(list(texts), x)))


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
    return score_texts(texts, feature_matrix(texts, labels))


def explain(text: str, entity_labels: Sequence[str] | None = None, *, nlp=None) -> list[tuple[str, float]]:
    """Contributions to a sentence's check-worthiness (its logit), largest effect first: each named
    feature against an average debate sentence, and each word or word pair (``"word: …"``) through
    the debate model; zeros left out. They add up to the logit, less a constant.

    >>> dict(explain("Thank you very much."))["thanks_greeting"] < 0
    True
    """
    if entity_labels is None:
        entity_labels = _entity_labels([text], nlp)[0]
    m = model()
    x = feature_matrix([text], [entity_labels])[0]
    z = (x - m.mu) / m.sd
    k = m.news_debate[2] / m.news_debate[1]  # a debate-logit unit in the news logit
    contrib = [(f, round(float(a * v + k * b * v), 4)) for f, v, a, b in zip(FEATURE_NAMES, z, m.news_w, m.feat_w)]
    cols, vals = m.words(text)
    contrib += [(f"word: {m.terms[j]}", round(float(k * v * m.word_w[j]), 4)) for j, v in zip(cols, vals)]
    return sorted((kv for kv in contrib if kv[1] != 0), key=lambda kv: -abs(kv[1]))
