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
from rapidfuzz import fuzz, process

from . import schema
from .text import normalise

SCORERS: dict[str, Callable] = {
    "ratio": fuzz.ratio,
    "token_sort_ratio": fuzz.token_sort_ratio,
    "token_set_ratio": fuzz.token_set_ratio,
    "token_ratio": fuzz.token_ratio,
    "partial_token_sort_ratio": fuzz.partial_token_sort_ratio,
    "WRatio": fuzz.WRatio,
}

#: Default scorer and threshold, chosen on MSRP paraphrase pairs (benchmarks/eval_paraphrase.py):
#: token_sort_ratio is as good as any rapidfuzz scorer tried there and, unlike token_set_ratio, does not
#: rate unrelated sentences alike because they share function words. Its train-F1 optimum is 62
#: (0.814); 65 costs 0.006 of that F1 (validation accuracy 0.726, F1 0.819) and lets ten times fewer
#: unrelated sentence pairs through (benchmarks/bench_match.py).
DEFAULT_SCORER = "token_sort_ratio"
DEFAULT_THRESHOLD = 65.0
#: Candidate pairs sharing a specific date or count need only this score (see :func:`match`).
DEFAULT_ANCHOR_THRESHOLD = 50.0


def combined_scores(a: list[str], b: list[str], *, workers: int = -1) -> np.ndarray:
    """The ``scorer="factbench"`` score of aligned text pairs (the default is token_sort_ratio): the mean
    of token_sort_ratio (word order ignored, every word counts) and token_set_ratio (shared words weigh most). token_set_ratio alone scores a
    sentence whose words are a subset of another's as 100; the mean keeps the extra words in view."""
    s1 = process.cpdist(a, b, scorer=fuzz.token_sort_ratio, workers=workers)
    s2 = process.cpdist(a, b, scorer=fuzz.token_set_ratio, workers=workers)
    return (s1.astype(np.float64) + s2) / 2


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


def candidate_pairs(texts: list[str], *, groups: np.ndarray | None = None, articles: np.ndarray | None = None,
                    floor: float = 0.15, cap: int = 200, chunk: int = 20000, max_df: float = 0.02,
                    progress: bool = False, threads: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Candidate index pairs (i < j) whose TF-IDF cosine is at least ``floor``.

    ``groups`` (e.g. outlets): pairs inside one group are dropped; ``articles``: pairs inside one
    article are always dropped. Memory is bounded by ``chunk`` rows at a time and ``cap``
    neighbours per row. The product runs in sparse_dot_topn's threads (default: all cores)."""
    import os

    threads = threads or os.cpu_count() or 1
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(texts)
    if n < 2:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    # TF-IDF over the whole vocabulary, L2-normalised; then the words in more than
    # max(100, min(1000, max_df * n)) claims are dropped from the product. Dropping them after the
    # normalisation keeps each pair's partial cosine at most its true cosine, so one shared rare word
    # does not make two long sentences look alike; the cap keeps the product near linear in n.
    vec = TfidfVectorizer(token_pattern=r"[^\s]+", lowercase=False, sublinear_tf=True, dtype=np.float32, min_df=1)
    try:
        x = vec.fit_transform(texts).tocsr()
    except ValueError:  # no vocabulary left (all texts empty)
        return np.empty(0, np.int64), np.empty(0, np.int64)
    del vec
    cap_df = int(max(100, min(1000, max_df * n)))
    if n > cap_df:  # drop the frequent words in place (no copy of the matrix)
        frequent = np.bincount(x.indices, minlength=x.shape[1]) > cap_df
        x.data[frequent[x.indices]] = 0
        x.eliminate_zeros()
    xt = x.T  # a CSC view of x, no copy
    left, right = [], []
    from sparse_dot_topn import sp_matmul_topn
    from tqdm.auto import tqdm

    for start in tqdm(range(0, n, chunk), desc="blocking", unit="chunk", disable=not progress or n <= chunk):
        # every neighbour above the floor, at most `cap` per row (a memory guard far above real cluster
        # sizes); multi-threaded C++, never a dense matrix
        block = sp_matmul_topn(x[start:start + chunk], xt, top_n=cap, threshold=floor, n_threads=threads).tocoo()
        r = block.row.astype(np.int64) + start
        c = block.col.astype(np.int64)
        i, j = np.minimum(r, c), np.maximum(r, c)  # a pair may come from either of its rows
        keep = i != j
        if articles is not None:
            keep &= articles[i] != articles[j]
        if groups is not None:
            keep &= groups[i] != groups[j]
        left.append(i[keep])
        right.append(j[keep])
    if not left:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(left), np.concatenate(right)]), axis=1)
    return pairs[0], pairs[1]


def _anchors(claims: pd.DataFrame) -> list[set]:
    """Specific facts of each claim that two reports of one event share: calendar dates and counts
    of 10 or more (years and small numbers are too common to tie statements together)."""
    from .values import find_dates, find_numbers

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


def _scores(a: list[str], b: list[str], scorer) -> np.ndarray:
    if scorer == "factbench":
        return combined_scores(a, b)
    fn = SCORERS[scorer] if isinstance(scorer, str) else scorer
    return process.cpdist(a, b, scorer=fn, workers=-1).astype(np.float64)


def match(corpus, *, threshold: float = DEFAULT_THRESHOLD, scorer: str | Callable = DEFAULT_SCORER,
          cross_outlet: bool = True, within_days: int | None = None, stop_words: bool = False,
          floor: float = 0.15, anchor_threshold: float | None = DEFAULT_ANCHOR_THRESHOLD,
          progress: bool = True) -> pd.DataFrame:
    """Pairs of claims that state the same thing: claim_id_l/_r, article_id_l/_r, outlet_l/_r, score, method.

    ``threshold``: minimum score (0..100). ``scorer``: "token_sort_ratio" (default), "factbench"
    (see :func:`combined_scores`), another name in :data:`SCORERS` or any rapidfuzz scorer. ``cross_outlet``:
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
    name = scorer if isinstance(scorer, str) else getattr(scorer, "__name__", "custom")
    if within_days is not None and "published" in claims.columns and len(i):
        pub = pd.to_datetime(claims["published"].replace("", None), errors="coerce").to_numpy()
        gap = np.abs((pub[i] - pub[j]).astype("timedelta64[D]").astype("float64"))
        keep = np.isnan(gap) | (gap <= within_days)
        i, j = i[keep], j[keep]
    method = np.full(len(i), f"tfidf-block+{name}", dtype=object)
    if len(i):
        step = 500_000  # score in slices: bounded memory for millions of candidates
        s = np.concatenate([_scores([norm[k] for k in i[a:a + step]], [norm[k] for k in j[a:a + step]], scorer)
                            for a in range(0, len(i), step)])
        keep = s >= threshold
        if anchor_threshold is not None and anchor_threshold < threshold:
            # a shared specific fact lowers the bar for pairs that blocking found similar in content;
            # it never adds pairs of its own (unrelated statements share dates all the time).
            # Facts are read only for the claims of pairs in between the two bars.
            between = np.nonzero(~keep & (s >= anchor_threshold))[0]
            if len(between):
                need = sorted(set(i[between].tolist()) | set(j[between].tolist()))
                anchors = dict(zip(need, _anchors(claims.iloc[need])))
                for k in between:
                    shared = anchors[i[k]] & anchors[j[k]]
                    if shared:
                        keep[k] = True
                        method[k] = f"anchor:{min(shared)}+{name}"
        i, j, s, method = i[keep], j[keep], s[keep], method[keep]
    else:
        s = np.empty(0)
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
