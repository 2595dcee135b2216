"""Matching claims that state the same thing: across outlets, or against earlier fact-checks.

Default (``method="semantic"``): sentence embeddings (an offline all-MiniLM-L6-v2, see
:mod:`factbench.ingest.encoder`) → nearest neighbours (blocking, never N×N) → one calibrated score of
meaning, words and facts (:mod:`factbench.matching.semantic`) → pairs at or above the threshold.
``method="lexical"``: TF-IDF blocking → rapidfuzz ``token_sort_ratio`` (the earlier default, fast at a
million claims; from 20,000 claims on, normalising the text and reading anchor facts run in one forked
worker process per core on Linux, with the same results as in one process: :func:`map_texts`). Pairs from one article never match; by default only pairs from different outlets.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b", "c"], "article_id": ["1", "2", "3"],
...     "outlet": ["X", "Y", "Z"], "text": ["Russia and Ukraine swapped 84 prisoners on June 19.",
...     "On June 19 Russia and Ukraine swapped 84 prisoners.", "Oil prices rose sharply on Monday."]})
>>> pairs = match(claims, progress=False)
>>> pairs[["claim_id_l", "claim_id_r"]].values.tolist(), bool(pairs.loc[0, "score"] > 90)
([['a', 'b']], True)
>>> match(claims, method="lexical", progress=False)[["claim_id_l", "claim_id_r"]].values.tolist()
[['a', 'b']]
"""

from __future__ import annotations

import os
import sys
from typing import Callable

import numpy as np
import pandas as pd

from .. import schema
from ..ingest.text import normalise
from ..ingest.encoder import PAIR_MODEL
from . import semantic
from .blocking import candidate_pairs
from rapidfuzz import fuzz

from .scoring import content_words, fact_of, score_pairs

#: Default scorer and threshold, chosen on MSRP paraphrase pairs (benchmarks/eval_paraphrase.py):
#: token_sort_ratio is as good as any rapidfuzz scorer tried there and, unlike token_set_ratio, does not
#: rate unrelated sentences alike because they share function words. Its train-F1 optimum is 62
#: (0.814); 65 costs 0.006 of that F1 (validation accuracy 0.726, F1 0.819) and lets ten times fewer
#: unrelated sentence pairs through (benchmarks/bench_match.py).
DEFAULT_SCORER = "token_sort_ratio"
DEFAULT_THRESHOLD = 65.0
#: Candidate pairs sharing a specific date or count need only this score (see :func:`match`).
DEFAULT_ANCHOR_THRESHOLD = 50.0
#: ... and their content words (no function words, numbers or dates) must overlap this much (token_set_ratio)
ANCHOR_CONTENT = 60.0
#: the semantic matcher's threshold on its calibrated 0..100 score
SEMANTIC_THRESHOLD = semantic.THRESHOLD
#: beyond this many claims the default matcher switches to the lexical path, the cheaper tier: on two
#: shared cores the semantic one took 27 s at 10k claims but 589 s at 100k (embedding 100k sentences and
#: their clauses dominates; benchmarks/bench_match.py). Pass ``model=`` to force it at any size.
SEMANTIC_MAX = 50_000


def claims_table(corpus) -> pd.DataFrame:
    """The claims table :func:`match` works on (a Corpus's claims with ``published``, or a DataFrame checked)."""
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


def match(corpus, *, method: str = "semantic", threshold: float | None = None, against=None, top: int = 3,
          text_column: str | None = None, model: str | None = None, cross_outlet: bool = True,
          within_days: int | None = None, scorer: str | Callable = DEFAULT_SCORER, stop_words: bool = False,
          floor: float | None = None, anchor_threshold: float | None = DEFAULT_ANCHOR_THRESHOLD,
          progress: bool = True, engine=None, rerank: bool = True) -> pd.DataFrame:
    """Pairs of claims that state the same thing: claim_id_l/_r, article_id_l/_r, outlet_l/_r, score, method.

    ``method``: ``"semantic"`` (default) or ``"lexical"``. ``threshold``: the minimum score, 0..100
    (default 55 for semantic, the calibrated score of :func:`factbench.similarity`; 65 for lexical).
    ``cross_outlet``: only pairs from different outlets (pairs from one article are never returned).
    ``within_days``: only pairs whose articles were published at most this many days apart (undated
    articles are kept).

    ``against``: a table of earlier fact-checks (any DataFrame with a ``text`` column, or name it with
    ``text_column``; its ``claim_id`` column names the rows, else its index): "was this checked before?"
    Returns the ``top`` best matches per claim scoring at least ``threshold``: claim_id_l (the claim),
    claim_id_r (the reference row), score, rank, text_l, text_r, method. The claims need only
    ``claim_id`` and ``text``. Each claim's :data:`AGAINST_NEIGHBOURS` nearest reference rows by embedding
    are reranked with the pair scorer, a cross-encoder that reads the claim and the row together: the
    score is the geometric mean of the calibrated score and the pair scorer's (0..100, matched from 55 as
    well; :mod:`factbench.matching.rerank`; method ``semantic:<encoder>+rerank:minilm-l6-cross-int8``).
    ``rerank=False``: the calibrated score alone (faster, less accurate; method ``semantic:<encoder>``).

    Semantic: ``model`` the encoder (default: the transformer up to 2,000 claims, the static model
    beyond, and the lexical path beyond 50,000 claims unless ``model`` is given); ``floor`` the embedding cosine a pair
    needs to be scored at all (default 0.45 transformer, 0.55 static).
    Lexical: ``scorer`` "token_sort_ratio" (default), "factbench" or any rapidfuzz scorer; ``floor``
    the TF-IDF cosine for blocking (default 0.15); ``anchor_threshold``: candidates that share a
    specific date or count and whose content words overlap need only this score (``None``: off).

    ``engine``: None (here) or a ``dask.distributed.Client`` / scheduler address: encoding, candidate
    generation and scoring run on the cluster with the same results (:mod:`factbench.matching.distributed`)."""
    if engine is not None:
        from .distributed import match_distributed

        return match_distributed(engine, corpus, method=method, threshold=threshold, against=against, top=top,
                                 text_column=text_column, model=model, cross_outlet=cross_outlet, within_days=within_days, scorer=scorer,
                                 stop_words=stop_words, floor=floor, anchor_threshold=anchor_threshold,
                                 progress=progress, rerank=rerank)
    if against is not None:
        return match_against(corpus, against, top=top, threshold=threshold, text_column=text_column, model=model,
                             floor=floor, progress=progress, rerank=rerank)
    if method == "semantic" and model is None and len(getattr(corpus, "claims", corpus)) > SEMANTIC_MAX:
        method = "lexical"  # the cheaper tier for very large corpora (see SEMANTIC_MAX)
    if method == "semantic":
        return _match_semantic(corpus, threshold=semantic.THRESHOLD if threshold is None else threshold, model=model,
                               cross_outlet=cross_outlet, within_days=within_days, floor=floor, progress=progress)
    if method != "lexical":
        raise ValueError(f"method must be 'semantic' or 'lexical', not {method!r}")
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    floor = 0.15 if floor is None else floor
    claims = claims_table(corpus)
    norm = normalise_many(claims["text"].tolist(), stop_words=stop_words)
    # integer codes: equality tests without a million Python strings
    outlet_code, outlet_names = pd.factorize(claims["outlet"].astype(str))
    art_code, art_names = pd.factorize(claims["article_id"].astype(str))
    i, j = candidate_pairs(norm, groups=outlet_code if cross_outlet else None, articles=art_code, floor=floor,
                           progress=progress)
    if within_days is not None:
        i, j = keep_within_days(claims, i, j, within_days)
    i, j, s, how = verify_pairs(claims, norm, i, j, scorer=scorer, threshold=threshold,
                           anchor_threshold=anchor_threshold)
    return _pairs_frame(claims, i, j, s, how, art_code, art_names, outlet_code, outlet_names)


#: below this many texts :func:`normalise_many` stays in this process (starting workers and copying the
#: results back cost more than they save)
PARALLEL_MIN = 20_000


def normalise_many(texts: list, *, stop_words: bool = False, workers: int | None = None) -> list[str]:
    """:func:`factbench.ingest.text.normalise` of every text, the same strings as a plain loop; from
    ``PARALLEL_MIN`` texts on, in forked worker processes over chunks (one per core by default, on Linux;
    it runs in this process elsewhere, with ``workers=1``, or if the pool cannot start).

    >>> normalise_many(["The “Kyiv” talks", "1,000 soldiers"], workers=2)
    ['the kyiv talks', '1000 soldiers']
    """
    from functools import partial

    return map_texts(partial(normalise, stop_words=stop_words), texts, workers=workers)


def map_texts(fn: Callable, texts: list, *, workers: int | None = None) -> list:
    """``[fn(t) for t in texts]``, in forked worker processes over chunks from ``PARALLEL_MIN`` texts on
    (see :func:`normalise_many`); ``fn`` must be a pure function of one text.

    >>> map_texts(len, ["ab", "c"])
    [2, 1]
    """
    texts = texts if isinstance(texts, list) else list(texts)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(workers, 8)
    if workers > 1 and len(texts) >= PARALLEL_MIN:
        import multiprocessing as mp

        if sys.platform.startswith("linux"):  # fork: cheap, no re-import (unsafe on macOS, absent on Windows)
            global _SHARED
            size = -(-len(texts) // (workers * 4))  # a few chunks per worker: a slow core does not hold up the rest
            spans = [(a, min(a + size, len(texts))) for a in range(0, len(texts), size)]
            _SHARED = (fn, texts)  # forked workers read both from their copy of memory: only results travel
            try:
                with mp.get_context("fork").Pool(workers) as pool:
                    parts = pool.map(_map_span, spans, chunksize=1)
                return [r for part in parts for r in part]
            except Exception:  # e.g. a daemon process may not have children: work here instead
                pass
            finally:
                _SHARED = None
    return [fn(t) for t in texts]


_SHARED: tuple | None = None


def _map_span(span: tuple[int, int]) -> list:
    fn, texts = _SHARED
    return [fn(t) for t in texts[span[0]:span[1]]]


def _pairs_frame(claims, i, j, s, how, art_code, art_names, outlet_code, outlet_names) -> pd.DataFrame:
    ids = claims["claim_id"].astype(str).to_numpy()
    arts, outlets = np.asarray(art_names, dtype=object), np.asarray(outlet_names, dtype=object)
    pairs = pd.DataFrame({
        "claim_id_l": ids[i], "claim_id_r": ids[j],
        "article_id_l": arts[art_code[i]], "article_id_r": arts[art_code[j]],
        "outlet_l": outlets[outlet_code[i]], "outlet_r": outlets[outlet_code[j]],
        "score": np.round(s, 2), "method": how,
    })
    pairs = schema.conform(pairs, "pairs")
    return pairs.sort_values(["score", "claim_id_l", "claim_id_r"], ascending=[False, True, True],
                             ignore_index=True)


def _match_semantic(corpus, *, threshold: float, model: str | None, cross_outlet: bool, within_days: int | None,
                    floor: float | None, progress: bool) -> pd.DataFrame:
    claims = claims_table(corpus)
    texts = claims["text"].astype(str).tolist()
    outlet_code, outlet_names = pd.factorize(claims["outlet"].astype(str))
    art_code, art_names = pd.factorize(claims["article_id"].astype(str))
    e = semantic.embed(texts, model=semantic.model_for(len(texts), model), progress=None if progress else False)
    floor = semantic.FLOORS.get(e.model, semantic.FLOOR) if floor is None else floor
    i, j = semantic.neighbour_pairs(e.vecs, floor=floor, groups=outlet_code if cross_outlet else None,
                                    articles=art_code, progress=progress)
    if within_days is not None:
        i, j = keep_within_days(claims, i, j, within_days)
    s = semantic.pair_scores(e, e, i, j, texts, texts, threshold=threshold)
    keep = s >= threshold
    i, j, s = i[keep], j[keep], s[keep]
    how = np.full(len(i), f"semantic:{e.model}", dtype=object)
    return _pairs_frame(claims, i, j, s, how, art_code, art_names, outlet_code, outlet_names)


def reference_table(reference, text_column: str | None = None) -> tuple[list[str], list[str]]:
    """(ids, texts) of a reference table: a DataFrame, or a CSV/JSONL/Parquet/ClaimReview JSON file."""
    from pathlib import Path

    if isinstance(reference, (str, Path)):
        reference = read_reference(reference)
    if not isinstance(reference, pd.DataFrame):
        raise TypeError("against= needs a DataFrame of earlier fact-checks (or a file path)")
    col = text_column or next((c for c in ("text", "claimReviewed", "claim_reviewed", "claim", "vclaim")
                               if c in reference.columns), None)
    if col is None or col not in reference.columns:
        raise schema.SchemaError(f"reference table has no text column {text_column or 'text'!r} "
                                 f"(columns: {', '.join(map(str, reference.columns))}); name it with text_column=")
    ids = reference["claim_id"] if "claim_id" in reference.columns else reference.index.to_series()
    return ids.astype(str).tolist(), reference[col].fillna("").astype(str).tolist()


def read_reference(path) -> pd.DataFrame:
    """A table of earlier fact-checks from a file: CSV, TSV, JSONL, Parquet, or ClaimReview JSON-LD (as
    written by :func:`factbench.export_claimreview`: one row per ClaimReview, text = claimReviewed)."""
    import json
    from pathlib import Path

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"reference table not found: {p}")
    suffix = p.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(p)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(p, lines=True, dtype=False)
        if suffix in (".json", ".jsonld"):
            data = json.loads(p.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data = data.get("@graph") or data.get("itemListElement") or [data]
            rows = []
            for k, d in enumerate(data):
                d = d.get("item", d) if isinstance(d, dict) else {}
                rows.append({"claim_id": str(d.get("identifier") or d.get("url") or d.get("@id") or k),
                             "text": d.get("claimReviewed") or d.get("text") or "",
                             "rating": (d.get("reviewRating") or {}).get("alternateName", "")
                             if isinstance(d.get("reviewRating"), dict) else ""})
            return pd.DataFrame(rows)
        return pd.read_csv(p, sep="\t" if suffix in (".tsv", ".tab") else ",", dtype=str, keep_default_na=False)
    except (ValueError, OSError) as err:
        raise ValueError(f"cannot read reference table {p}: {err}") from err


#: "was this checked before?": each claim's candidates are its nearest reference rows by embedding, at
#: least this many, then ranked by the calibrated score. On the CLEF 2020 claim retrieval train split the
#: relevant fact-check is among a tweet's 20 nearest for 0.917 of tweets (50: 0.953), yet scoring 50, or
#: adding 20 rows by TF-IDF over content words, moved MAP@5 only from 0.807 to 0.810: the ranking, not the
#: candidates, is what limits it (benchmarks/eval_retrieval.py). Reranking these 20 with the pair scorer
#: (the default) gives dev MAP@5 0.824 (P@1 0.772); each candidate costs one pair-scorer run, which is why
#: the count stays at 20.
AGAINST_NEIGHBOURS = 20
#: the embedding cosine below which a reference row is no candidate for a claim (``floor`` overrides it)
AGAINST_FLOOR = 0.2
AGAINST_COLUMNS = ["claim_id_l", "claim_id_r", "score", "rank", "text_l", "text_r", "method"]


def against_inputs(claims, reference, text_column: str | None = None) -> tuple[np.ndarray, list, list, list]:
    """The claims' ids and texts and the reference's ids and texts, for ``match(claims, against=reference)``
    on any engine; claims need columns ``claim_id`` and ``text``."""
    claims = getattr(claims, "claims", claims)
    if not isinstance(claims, pd.DataFrame) or not {"claim_id", "text"} <= set(claims.columns):
        raise schema.SchemaError("match(..., against=) needs claims with columns claim_id and text")
    ref_ids, ref_texts = reference_table(reference, text_column)
    return (claims["claim_id"].astype(str).to_numpy(), claims["text"].fillna("").astype(str).tolist(),
            ref_ids, ref_texts)


def match_against(claims, reference, *, top: int = 3, threshold: float | None = None, text_column: str | None = None,
                  model: str | None = None, floor: float | None = None, progress: bool = True,
                  rerank: bool = True) -> pd.DataFrame:
    """"Was this checked before?": each claim's ``top`` best matches in ``reference`` (see :func:`match`)."""
    threshold = semantic.THRESHOLD if threshold is None else threshold
    ids, texts, ref_ids, ref_texts = against_inputs(claims, reference, text_column)
    if not texts or not ref_texts:
        return pd.DataFrame({c: pd.Series(dtype="float64" if c == "score" else "int64" if c == "rank" else "string")
                             for c in AGAINST_COLUMNS})
    name = semantic.model_for(max(len(texts), len(ref_texts)), model)
    show = None if progress else False
    a = semantic.embed(texts, model=name, progress=show)
    b = semantic.embed(ref_texts, model=name, progress=show)
    k = max(top * 4, AGAINST_NEIGHBOURS)
    i, j = semantic.neighbour_pairs(b.vecs, query=a.vecs, k=k, floor=(AGAINST_FLOOR if floor is None else floor),
                                    progress=progress)
    s = semantic.pair_scores(a, b, i, j, texts, ref_texts, threshold=against_bar(threshold, rerank))
    return against_table(ids, ref_ids, texts, ref_texts, i, j, s, threshold=threshold, top=top, model=name,
                         rerank=rerank, progress=progress)


def against_bar(threshold: float, rerank: bool) -> float | None:
    """The bar below which a candidate's calibrated score need not be computed in full: none when
    reranking (the pair scorer needs every candidate's score) or when every candidate is kept."""
    return None if rerank or threshold <= 0 else threshold


def keep_within_days(claims: pd.DataFrame, i: np.ndarray, j: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs whose articles were published at most ``days`` apart (undated ones are kept)."""
    if "published" not in claims.columns or not len(i):
        return i, j
    pub = pd.to_datetime(claims["published"].replace("", None), errors="coerce").to_numpy()
    gap = np.abs((pub[i] - pub[j]).astype("timedelta64[D]").astype("float64"))
    keep = np.isnan(gap) | (gap <= days)
    return i[keep], j[keep]


def verify_pairs(claims: pd.DataFrame, norm: list[str], i: np.ndarray, j: np.ndarray, *, scorer, threshold: float,
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
            facts = dict(zip(need, map_texts(fact_of, claims["text"].iloc[need].tolist())))
            words: dict[int, str] = {}

            def content(r: int) -> str:
                if r not in words:
                    words[r] = content_words(claims["text"].iat[r])
                return words[r]

            for k in between:
                shared = facts[i[k]] & facts[j[k]]
                # never on a shared date or number alone: the content words must overlap as well
                if shared and fuzz.token_set_ratio(content(i[k]), content(j[k])) >= ANCHOR_CONTENT:
                    keep[k] = True
                    method[k] = f"anchor:{min(shared)}+{name}"
    return i[keep], j[keep], s[keep], method[keep]


# claims_table, reference_table, against_inputs, against_bar, keep_within_days, verify_pairs, pairs_table and
# against_table are the local engine's own steps, public for other engines (factbench.matching.distributed)

def pairs_table(claims: pd.DataFrame, i, j, s, how) -> pd.DataFrame:
    """The pairs table :func:`match` returns for scored pairs (i, j) of ``claims``."""
    outlet_code, outlet_names = pd.factorize(claims["outlet"].astype(str))
    art_code, art_names = pd.factorize(claims["article_id"].astype(str))
    return _pairs_frame(claims, i, j, s, how, art_code, art_names, outlet_code, outlet_names)


def against_table(ids, ref_ids, texts, ref_texts, i, j, s, *, threshold: float, top: int, model: str,
                  rerank: bool = False, progress: bool = False) -> pd.DataFrame:
    """The table ``match(..., against=)`` returns for scored pairs (claim ``i``, reference row ``j``, score
    ``s``): each claim's ``top`` best at or above ``threshold``, ranked (ties by reference row).
    ``rerank``: ``s`` are full calibrated scores, rounded as the table rounds them, then combined with the
    pair scorer's where the pair can reach ``threshold`` (:func:`factbench.matching.rerank.rerank`)."""
    if rerank:
        from . import rerank as rr

        s = rr.rerank(np.round(np.asarray(s, dtype=np.float64), 2), i, j, texts, ref_texts, threshold=threshold,
                      progress=None if progress else False)
        model = f"{model}+rerank:{PAIR_MODEL}"
    out = pd.DataFrame({"claim_id_l": np.asarray(ids)[i], "claim_id_r": np.asarray(ref_ids, dtype=object)[j],
                        "score": np.round(s, 2), "_i": i, "_j": j})
    out = out[out["score"] >= threshold]
    out = out.sort_values(["_i", "score", "_j"], ascending=[True, False, True])
    out["rank"] = out.groupby("_i").cumcount() + 1
    out = out[out["rank"] <= top]
    out["text_l"] = [texts[k] for k in out["_i"]]
    out["text_r"] = [ref_texts[k] for k in out["_j"]]
    out["method"] = f"semantic:{model}"
    out = out[AGAINST_COLUMNS].reset_index(drop=True)
    for c in ("claim_id_l", "claim_id_r", "text_l", "text_r", "method"):
        out[c] = out[c].astype("string")
    return out
