"""Cross-outlet matching of claims: index (blocking) → compare (rapidfuzz) → pairs.

Blocking: TF-IDF over the normalised words (words in more than ~1,000 claims pruned), a chunked,
multi-threaded sparse cosine product (sparse_dot_topn), and every neighbour above a similarity floor kept (a fixed top-k would starve dense
neighbourhoods; a generous cap only guards memory). Candidates from the same article, and by
default from the same outlet, are dropped before verification. Verification: rapidfuzz's pairwise
scorer on the same normalised text, with ``score_cutoff``.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b", "c"], "article_id": ["1", "2", "3"],
...     "outlet": ["X", "Y", "Z"], "text": ["Russia and Ukraine swapped 84 prisoners on June 19.",
...     "On June 19 Russia and Ukraine swapped 84 prisoners.", "Oil prices rose sharply on Monday."]})
>>> pairs = match(claims)
>>> pairs[["claim_id_l", "claim_id_r"]].values.tolist(), bool(pairs.loc[0, "score"] > 90)
([['a', 'b']], True)
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from .. import schema
from ..ingest.text import normalise
from .blocking import candidate_pairs
from .scoring import anchors as fact_anchors, score_pairs

#: Default scorer and threshold, chosen on MSRP paraphrase pairs (benchmarks/eval_paraphrase.py):
#: token_sort_ratio is as good as any rapidfuzz scorer tried there and, unlike token_set_ratio, does not
#: rate unrelated sentences alike because they share function words. Its train-F1 optimum is 62
#: (0.814); 65 costs 0.006 of that F1 (validation accuracy 0.726, F1 0.819) and lets ten times fewer
#: unrelated sentence pairs through (benchmarks/bench_match.py).
DEFAULT_SCORER = "token_sort_ratio"
DEFAULT_THRESHOLD = 65.0
#: Candidate pairs sharing a specific date or count need only this score (see :func:`match`).
DEFAULT_ANCHOR_THRESHOLD = 50.0


def _claims_frame(corpus) -> pd.DataFrame:
    claims = getattr(corpus, "claims", corpus)
    if not isinstance(claims, pd.DataFrame):
        raise TypeError("match() needs a Corpus or a claims DataFrame")
    missing = [c for c in ("claim_id", "article_id", "outlet", "text") if c not in claims.columns]
    if missing:
        raise schema.SchemaError(f"claims table is missing column(s): {', '.join(missing)}")
    out = claims.reset_index(drop=True)
    if "published" not in out.columns and hasattr(corpus, "articles"):
        out = out.merge(corpus.articles[["article_id", "published"]], on="article_id", how="left")
    return out


def match(corpus, *, threshold: float = DEFAULT_THRESHOLD, scorer: str | Callable = DEFAULT_SCORER,
          cross_outlet: bool = True, within_days: int | None = None, stop_words: bool = False,
          floor: float = 0.15, anchor_threshold: float | None = DEFAULT_ANCHOR_THRESHOLD,
          progress: bool = True) -> pd.DataFrame:
    """Pairs of claims that state the same thing: claim_id_l/_r, article_id_l/_r, outlet_l/_r, score, method.

    ``threshold``: minimum score (0..100). ``scorer``: "token_sort_ratio" (default), "factbench"
    (see :func:`~factbench.matching.scoring.combined_scores`), another name in
    :data:`~factbench.matching.scoring.SCORERS` or any rapidfuzz scorer. ``cross_outlet``:
    only pairs from different outlets (pairs from one article are never returned). ``within_days``:
    only pairs whose articles were published at most this many days apart (articles without a date
    are kept). ``floor``: the TF-IDF cosine a pair needs to be compared at all.
    ``anchor_threshold``: candidate pairs (past blocking) that share a specific date or count (≥ 10)
    need only this score (method ``anchor:…``): outlets that rewrite a report keep its facts more
    than its words. ``None`` turns anchors off."""
    claims = _claims_frame(corpus)
    norm = [normalise(t, stop_words=stop_words) for t in claims["text"]]
    # integer codes: equality tests without a million Python strings
    outlet_code, outlet_names = pd.factorize(claims["outlet"].astype(str))
    art_code, art_names = pd.factorize(claims["article_id"].astype(str))
    i, j = candidate_pairs(norm, groups=outlet_code if cross_outlet else None, articles=art_code, floor=floor,
                           progress=progress)
    if within_days is not None:
        i, j = _within_days(claims, i, j, within_days)
    i, j, s, method = _verify(claims, norm, i, j, scorer=scorer, threshold=threshold,
                              anchor_threshold=anchor_threshold)
    ids = claims["claim_id"].astype(str).to_numpy()
    arts, outlets = np.asarray(art_names, dtype=object), np.asarray(outlet_names, dtype=object)
    pairs = pd.DataFrame({
        "claim_id_l": ids[i], "claim_id_r": ids[j],
        "article_id_l": arts[art_code[i]], "article_id_r": arts[art_code[j]],
        "outlet_l": outlets[outlet_code[i]], "outlet_r": outlets[outlet_code[j]],
        "score": np.round(s, 2), "method": method,
    })
    pairs = schema.conform(pairs, "pairs")
    return pairs.sort_values(["score", "claim_id_l", "claim_id_r"], ascending=[False, True, True],
                             ignore_index=True)


def _within_days(claims: pd.DataFrame, i: np.ndarray, j: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose articles were published at most ``days`` apart (undated ones are kept)."""
    if "published" not in claims.columns or not len(i):
        return i, j
    pub = pd.to_datetime(claims["published"].replace("", None), errors="coerce").to_numpy()
    gap = np.abs((pub[i] - pub[j]).astype("timedelta64[D]").astype("float64"))
    keep = np.isnan(gap) | (gap <= days)
    return i[keep], j[keep]


def _verify(claims: pd.DataFrame, norm: list[str], i: np.ndarray, j: np.ndarray, *, scorer, threshold: float,
            anchor_threshold: float | None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Score the candidates and keep those at or above ``threshold``, or at or above ``anchor_threshold``
    when the two claims share a specific fact; returns i, j, scores and each pair's method."""
    name = scorer if isinstance(scorer, str) else getattr(scorer, "__name__", "custom")
    method = np.full(len(i), f"tfidf-block+{name}", dtype=object)
    if not len(i):
        return i, j, np.empty(0), method
    step = 500_000  # score in slices: bounded memory for millions of candidates
    s = np.concatenate([score_pairs([norm[k] for k in i[a:a + step]], [norm[k] for k in j[a:a + step]], scorer)
                        for a in range(0, len(i), step)])
    keep = s >= threshold
    if anchor_threshold is not None and anchor_threshold < threshold:
        # a shared specific fact lowers the bar for pairs that blocking found similar in content;
        # it never adds pairs of its own (unrelated statements share dates all the time).
        # Facts are read only for the claims of pairs in between the two bars.
        between = np.nonzero(~keep & (s >= anchor_threshold))[0]
        if len(between):
            need = sorted(set(i[between].tolist()) | set(j[between].tolist()))
            facts = dict(zip(need, fact_anchors(claims.iloc[need])))
            for k in between:
                shared = facts[i[k]] & facts[j[k]]
                if shared:
                    keep[k] = True
                    method[k] = f"anchor:{min(shared)}+{name}"
    return i[keep], j[keep], s[keep], method[keep]
