"""Semantic matching: sentence embeddings for blocking, and one calibrated score of meaning, words and facts.

**Blocking** (:func:`neighbour_pairs`): every claim's nearest neighbours by embedding cosine above a
floor, never an N×N matrix: exact products in row blocks up to :data:`EXACT_MAX` claims, a faiss
inverted-file index (IVF, inner product) beyond.

**The score** (:func:`pair_scores`): 0..100, the estimated chance (in percent) that a fact-checker would
give both statements one verdict, from a logistic model over five features of a pair:

- ``cos``: cosine of the whole sentences' embeddings (meaning);
- ``part``: the best cosine between one sentence and a clause of the other (a fact carried inside a
  longer sentence: containment, asymmetric by design);
- ``tset`` / ``tsort``: rapidfuzz token_set_ratio and token_sort_ratio of the normalised words (words);
- ``fact``: both state the same specific date or count (facts; vague quantities such as "dozens" are
  never facts, and the feature only adds to a pair whose meaning is already close, see ``FACT_MIN_COS``).

The weights were fitted on the hand-labelled BASIL development events and checked by leave-events-out
cross-validation (``benchmarks/eval_matching.py`` prints the figures). :data:`THRESHOLD` (the one
documented threshold) is where the cross-validated pair precision stays at or above 0.75.

>>> s = similarity(["Russia and Ukraine exchanged prisoners on Friday."],
...                ["On Friday Moscow and Kyiv swapped captives, officials said."], model="minilm-l6-static")
>>> s.shape, bool(0 <= s[0] <= 100)
((1,), True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..claims.values import find_dates, find_numbers
from ..ingest.encoder import DEFAULT_MODEL, STATIC_MODEL, encode
from ..ingest.text import normalise
from .blocking import across, unique_keys

#: up to this many claims the matcher embeds with the transformer (minilm-l6-int8); beyond it with the
#: static model (minilm-l6-static), which encodes about a hundred times faster (benchmarks/bench_match.py)
TRANSFORMER_MAX = 2000
#: up to this many claims blocking multiplies the embeddings exactly, in row blocks; beyond, faiss IVF
EXACT_MAX = 30000
#: a claim's neighbours: at most this many, each with cosine at least the encoder's floor (below it no
#: BASIL pair reached the threshold: transformer 0.53, static 0.56)
NEIGHBOURS = 20
FLOORS = {"minilm-l6-int8": 0.45, "minilm-l6-static": 0.55}
FLOOR = FLOORS["minilm-l6-int8"]
#: a shared fact counts only between sentences at least this close in meaning, whose content words
#: (no function words, numbers or dates) also overlap this much (rapidfuzz token_set_ratio)
FACT_MIN_COS = 0.5
FACT_CONTENT = 50.0

#: logistic weights over (cos, part, tset, tsort, fact) and the intercept, one set per encoder (their
#: cosines differ in scale); fitted on the 20 BASIL development events (benchmarks/eval_matching.py)
WEIGHTS = {
    "minilm-l6-int8": (np.array([3.80, 3.68, 5.18, 3.70, 1.75]), -11.17),
    "minilm-l6-static": (np.array([3.40, 3.45, 6.84, 4.82, 3.11]), -13.38),
}
#: the one default threshold on the 0..100 score: a pair is matched from here. On BASIL, leave-events-out,
#: pair precision at 55 is 0.76 with the transformer and 0.74 with the static model.
THRESHOLD = 55.0

_CLAUSE_SPLIT = re.compile(r"\s*(?:[;:()\[\]—–]|,\s*(?=(?:and|but|while|which|who|after|before|when|as|saying|"
                           r"according|adding|although|though|because|where|since)\b))\s*", re.I)


def model_for(n: int, model: str | None = None) -> str:
    """The encoder the matcher uses for ``n`` claims: ``model`` if given, else the transformer up to
    :data:`TRANSFORMER_MAX` claims and the static model beyond."""
    if model and model != "auto":
        return model
    return DEFAULT_MODEL if n <= TRANSFORMER_MAX else STATIC_MODEL


def clauses(text: str, min_words: int = 4) -> list[str]:
    """The clauses of a sentence (split at ; : dashes, brackets and a comma before a conjunction),
    short pieces joined to their neighbour; a sentence of one clause gives [].

    >>> clauses("Zelensky confirmed the exchange on Friday, saying 84 soldiers had come home.")
    ['Zelensky confirmed the exchange on Friday', 'saying 84 soldiers had come home.']
    """
    parts = [p.strip(" ,") for p in _CLAUSE_SPLIT.split(str(text)) if p and p.strip(" ,")]
    out: list[str] = []
    for p in parts:
        if out and (len(p.split()) < min_words or len(out[-1].split()) < min_words):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out if len(out) > 1 else []


def facts(text: str) -> set[str]:
    """The specific facts of a sentence that tie two reports together: calendar dates and counts of 10
    or more written with digits or as exact number words (never a year, never "dozens" or "thousands").

    >>> sorted(facts("On June 2, 1,212 soldiers and dozens of civilians came home."))
    ['date:06-02', 'num:1212']
    """
    ds = find_dates(text)
    out = {"date:" + d.iso[-5:] for d in ds}
    for q in find_numbers(text, skip=[(d.start, d.end) for d in ds]):
        exact = any(ch.isdigit() for ch in q.text) or q.low == q.high
        if exact and (q.value >= 10 or q.percent):
            out.add(f"{'pct' if q.percent else 'num'}:{q.value:g}")
    return out


@dataclass
class Embedded:
    """Sentence embeddings, clause embeddings and their owners (``start[k]:start[k+1]`` rows of
    ``clause_vecs`` belong to sentence k)."""

    vecs: np.ndarray
    clause_vecs: np.ndarray
    start: np.ndarray
    model: str


_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.I)
_SIGNATURE = re.compile(r"\s+[—–-]\s+[^—–\n]{0,80}\(@\w+\)\s+\w+\s+\d{1,2},\s+\d{4}\s*$")


def clean(text: str) -> str:
    """The words of a text that carry its meaning: links and a social-media signature ("— Name (@handle)
    Month d, yyyy") dropped.

    >>> clean("Masks do not work https://t.co/x pic.twitter.com/y — Jo Doe (@jo) May 1, 2020")
    'Masks do not work'
    """
    t = _SIGNATURE.sub("", str(text))
    return " ".join(_URL.sub(" ", t).split())


def embed(texts: list[str], *, model: str | None = None, with_clauses: bool = True,
          progress: bool | None = None) -> Embedded:
    """Embeddings of ``texts`` and of their clauses (one encoder call for both)."""
    model = model_for(len(texts), model)
    texts = [clean(t) for t in texts]
    parts = [clauses(t) if with_clauses else [] for t in texts]
    counts = np.fromiter((len(p) for p in parts), dtype=np.int64, count=len(parts))
    start = np.concatenate([[0], np.cumsum(counts)])
    flat = [c for p in parts for c in p]
    v = encode(list(texts) + flat, model=model, progress=progress)
    return Embedded(v[:len(texts)], v[len(texts):], start, model)


def _rowdot(a: np.ndarray, b: np.ndarray, i: np.ndarray, j: np.ndarray, step: int = 200_000) -> np.ndarray:
    out = np.empty(len(i), dtype=np.float32)
    for s in range(0, len(i), step):
        out[s:s + step] = np.einsum("ij,ij->i", a[i[s:s + step]], b[j[s:s + step]])
    return out


def _best_part(e: Embedded, other: Embedded, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """For each pair, the best cosine between a clause of sentence i (in ``e``) and the whole of
    sentence j (in ``other``); -1 where i has no clauses."""
    best = np.full(len(i), -1.0, dtype=np.float32)
    cnt = e.start[i + 1] - e.start[i]
    has = np.nonzero(cnt)[0]
    if not len(has):
        return best
    reps = cnt[has]
    pair = np.repeat(has, reps)
    offs = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    rows = e.start[i[pair]] + offs
    d = _rowdot(e.clause_vecs, other.vecs, rows, j[pair])
    best[has] = np.maximum.reduceat(d, np.concatenate([[0], np.cumsum(reps)[:-1]]))
    return best


def features(a: Embedded, b: Embedded, i: np.ndarray, j: np.ndarray, norm_a, norm_b, facts_a=None, facts_b=None,
             texts_a=None, texts_b=None) -> np.ndarray:
    """The (len(i), 5) feature matrix (cos, part, tset, tsort, fact) of pairs a[i] ~ b[j].

    ``norm_a``/``norm_b``: normalised texts (indexable by row); ``facts_a``/``facts_b``: each row's
    :func:`facts` (e.g. a :class:`LazyFacts`); without them the fact column stays 0 (see :func:`fill_facts`)."""
    from rapidfuzz import fuzz, process

    n = len(i)
    x = np.zeros((n, 5), dtype=np.float32)
    if not n:
        return x
    x[:, 0] = _rowdot(a.vecs, b.vecs, i, j)
    x[:, 1] = np.maximum(np.maximum(_best_part(a, b, i, j), _best_part(b, a, j, i)), x[:, 0])
    step = 500_000
    for s in range(0, n, step):
        la = [norm_a[int(k)] for k in i[s:s + step]]
        lb = [norm_b[int(k)] for k in j[s:s + step]]
        x[s:s + step, 2] = process.cpdist(la, lb, scorer=fuzz.token_set_ratio, workers=-1) / 100.0
        x[s:s + step, 3] = process.cpdist(la, lb, scorer=fuzz.token_sort_ratio, workers=-1) / 100.0
    if facts_a is not None and facts_b is not None:
        fill_facts(x, np.arange(n), i, j, facts_a, facts_b, texts_a, texts_b)
    return x


def fill_facts(x: np.ndarray, rows: np.ndarray, i, j, facts_a, facts_b, texts_a=None, texts_b=None) -> None:
    """Set the fact column of ``rows``: the pair shares a specific date or count, is close in meaning
    (``part`` at least :data:`FACT_MIN_COS`) and shares content words besides (never a date or a
    number alone; needs the texts, else the content test is skipped)."""
    from .scoring import content_overlap

    for k in rows[x[rows, 1] >= FACT_MIN_COS]:
        a, b = int(i[k]), int(j[k])
        if facts_a[a] & facts_b[b] and (texts_a is None or content_overlap(str(texts_a[a]), str(texts_b[b])) >= FACT_CONTENT):
            x[k, 4] = 1.0


def calibrated(x: np.ndarray, model: str = DEFAULT_MODEL) -> np.ndarray:
    """The 0..100 score of feature rows (see the module's docstring) for embeddings of ``model``."""
    w, b = WEIGHTS.get(model, WEIGHTS[DEFAULT_MODEL])
    z = x.astype(np.float64) @ w + b
    return 100.0 / (1.0 + np.exp(-z))


def neighbour_pairs(vecs: np.ndarray, *, floor: float = FLOOR, k: int = NEIGHBOURS, groups: np.ndarray | None = None,
                    articles: np.ndarray | None = None, query: np.ndarray | None = None, chunk: int = 2048,
                    progress: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs whose cosine is at least ``floor``: each row's ``k`` nearest neighbours.

    Without ``query``: pairs (i < j) within ``vecs`` (pairs inside one of ``groups`` or one of
    ``articles`` dropped). With ``query``: pairs (query row, vecs row). Exact products in row blocks
    up to :data:`EXACT_MAX` rows of ``vecs``, a faiss IVF index beyond; never an N×N matrix."""
    from tqdm.auto import tqdm

    base = vecs
    q = vecs if query is None else query
    n, m = len(q), len(base)
    if n == 0 or m == 0 or (query is None and n < 2):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    kk = min(k + 1, m)
    search = ivf_index(base).search if m > EXACT_MAX else None
    left, right = [], []
    for s in tqdm(range(0, n, chunk), desc="neighbours", unit="block", disable=not progress or n <= chunk):
        r, c = block_neighbours(q[s:s + chunk], s, base, kk, floor=floor, search=search, within=query is None,
                                groups=groups, articles=articles)
        left.append(r)
        right.append(c)
    i, j = np.concatenate(left), np.concatenate(right)
    key = unique_keys(i * np.int64(m) + j)  # the pairs once each
    return key // m, key % m


def ivf_index(base: np.ndarray):
    """The faiss IVF index (inner product) :func:`neighbour_pairs` searches beyond :data:`EXACT_MAX` rows:
    trained on a fixed sample of ``base`` (seed 0), ``nprobe`` 12."""
    import faiss

    m, d = base.shape
    nlist = int(min(16384, max(64, 4 * np.sqrt(m))))
    quant = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFFlat(quant, d, nlist, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(0)
    train = base[rng.choice(m, size=min(m, nlist * 40), replace=False)]
    index.train(np.ascontiguousarray(train))
    index.add(np.ascontiguousarray(base))
    index.nprobe = 12
    return index


def block_neighbours(rows: np.ndarray, start: int, base: np.ndarray, kk: int, *, floor: float, search=None,
                     within: bool = True, groups=None, articles=None) -> tuple[np.ndarray, np.ndarray]:
    """The pairs one block of query ``rows`` (row numbers from ``start``) finds among its ``kk`` nearest rows
    of ``base`` with cosine at least ``floor``: by exact products, or by ``search(rows, kk)`` (a faiss
    index's). ``within``: the rows are ``base``'s own, so pairs come as (i < j) across rows, ``groups``
    and ``articles`` (:func:`~factbench.matching.blocking.across`); else as (query row, base row)."""
    m = len(base)
    if search is None:
        sims = rows @ base.T
        if kk < m:
            top = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
        else:
            top = np.broadcast_to(np.arange(m), (len(rows), m))
        val = np.take_along_axis(sims, top, axis=1)
    else:
        val, top = search(np.ascontiguousarray(rows), kk)
    r = np.repeat(np.arange(start, start + len(rows)), top.shape[1])
    c = top.ravel().astype(np.int64)
    keep = (val.ravel() >= floor) & (c >= 0)
    r, c = r[keep], c[keep]
    return across(r, c, groups=groups, articles=articles) if within else (r, c)


class LazyFacts(dict):
    """Row → :func:`facts` of ``texts[row]``, read on first use (only pairs close in meaning need them)."""

    def __init__(self, texts):
        super().__init__()
        self.texts = texts

    def __missing__(self, k):
        v = self[k] = facts(str(self.texts[k]))
        return v


class LazyNorm(dict):
    """Row → normalised ``texts[row]``, computed on first use."""

    def __init__(self, texts):
        super().__init__()
        self.texts = texts

    def __missing__(self, k):
        v = self[k] = normalise(str(self.texts[k]))
        return v


def pair_scores(a: Embedded, b: Embedded, i: np.ndarray, j: np.ndarray, texts_a, texts_b, *, norm_a=None,
                norm_b=None, facts_a=None, facts_b=None, threshold: float | None = None) -> np.ndarray:
    """The calibrated 0..100 score of pairs a[i] ~ b[j] (normalised words and facts read from the texts
    when not given). With ``threshold``, facts are read only for the pairs that can reach it (the others
    score below it either way; their score lacks the fact's share)."""
    if not len(i):
        return np.empty(0)
    same = texts_b is texts_a
    norm_a = LazyNorm(texts_a) if norm_a is None else norm_a
    norm_b = (norm_a if same else LazyNorm(texts_b)) if norm_b is None else norm_b
    facts_a = LazyFacts(texts_a) if facts_a is None else facts_a
    facts_b = (facts_a if same else LazyFacts(texts_b)) if facts_b is None else facts_b
    x = features(a, b, i, j, norm_a, norm_b)
    w, bias = WEIGHTS.get(a.model, WEIGHTS[DEFAULT_MODEL])
    rows = np.arange(len(i))
    if threshold is not None and 0 < threshold < 100:
        zt = np.log(threshold / (100 - threshold))
        z0 = x[:, :4].astype(np.float64) @ w[:4] + bias
        rows = np.nonzero(z0 + w[4] >= zt)[0]  # the pairs that reach it, with a shared fact or without
    fill_facts(x, rows, i, j, facts_a, facts_b, texts_a, texts_b)
    return calibrated(x, a.model)


def similarity(texts_a, texts_b, *, model: str | None = None) -> np.ndarray:
    """The matcher's score (0..100; matched from :data:`THRESHOLD`) of aligned pairs texts_a[k] ~ texts_b[k].

    ``model``: the encoder, ``"minilm-l6-int8"`` (default, the one :func:`factbench.match` uses up to
    :data:`TRANSFORMER_MAX` claims) or ``"minilm-l6-static"`` (the one it uses beyond)."""
    texts_a, texts_b = [str(t) for t in texts_a], [str(t) for t in texts_b]
    if len(texts_a) != len(texts_b):
        raise ValueError(f"similarity() needs aligned lists; got {len(texts_a)} and {len(texts_b)} texts")
    model = model or DEFAULT_MODEL
    a = embed(texts_a, model=model, progress=None)
    b = embed(texts_b, model=model, progress=None)
    k = np.arange(len(texts_a))
    return np.round(pair_scores(a, b, k, k, texts_a, texts_b), 2)
