"""The Dask engine for ingest: a LocalCluster of 2 worker processes gives the local engine's tables."""

from __future__ import annotations

import logging
import random

import numpy as np
import pandas as pd
import pytest

import factbench as fb
from factbench.claims import distributed as dist
from factbench.ingest.parse import ParseCache

from conftest import SAMPLE

SPEAKERS = ["The defence ministry", "Ukraine's coordination headquarters", "President Volodymyr Zelensky",
            "Dmitry Peskov", "The Red Cross", "A source close to the talks", "Officials", "Reuters"]
EVENTS = ["{n} prisoners of war were exchanged", "{n} bodies were returned", "talks will resume in Istanbul",
          "a ceasefire along {n} kilometres of the front was agreed", "{n} drones were shot down overnight",
          "aid worth {n} million euros arrived"]


def generated(n_articles: int, seed: int = 3) -> pd.DataFrame:
    """News-like articles: attributed claims with numbers and dates, quotes, hedges, filler, repeats."""
    rng = random.Random(seed)
    rows = []
    for a in range(n_articles):
        sents = []
        for _ in range(rng.randint(8, 30)):
            ev = rng.choice(EVENTS).format(n=rng.randint(2, 1500))
            kind = rng.random()
            if kind < 0.15:
                sents.append("What happens next is unclear.")
            elif kind < 0.3:
                sents.append(f"“{ev[0].upper() + ev[1:]} on June {rng.randint(1, 28)},” {rng.choice(SPEAKERS)} said.")
            elif kind < 0.4:
                sents.append(f"{rng.choice(SPEAKERS)} suggested that {ev} may have been delayed.")
            else:
                sents.append(f"{rng.choice(SPEAKERS)} said {ev} on {rng.choice(['May', 'June', 'July'])} "
                             f"{rng.randint(1, 28)}, {rng.randint(2, 30)} days after the last round.")
        if a % 2:  # a claim repeated later in the article: its second id gets a suffix
            sents.append(max(sents, key=len))
        paras = ["  ".join(sents[k:k + 4]) for k in range(0, len(sents), 4)]
        rows.append({"article_id": f"g{a:04d}", "outlet": f"outlet {a % 5}", "published": f"2025-0{1 + a % 9}-15",
                     "text": "\n\n".join(paras)})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def _same(a: fb.Corpus, b: fb.Corpus) -> None:
    for name in ("articles", "sentences", "claims", "skipped"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), obj=name)
    assert a.settings == b.settings


def test_sample_on_two_workers_equals_the_local_load(client):
    local = fb.load(SAMPLE, cache=False, progress=False)
    remote = fb.load(SAMPLE, cache=False, progress=False, engine=client)
    _same(local, remote)
    assert len(remote.claims) > 50 and remote.claims["claim_id"].is_unique
    # each worker process loaded the spaCy pipeline once (or never, if it got no work), not once per task
    from factbench.ingest.nlp import get_nlp

    loads = client.run(lambda: get_nlp.cache_info().misses)
    assert sorted(loads.values())[-1] == 1 and set(loads.values()) <= {0, 1}, loads


def test_generated_corpus_in_many_partitions_equals_the_local_load(client, monkeypatch, tmp_path):
    df = generated(150)
    local = fb.load(df, cache=False, progress=False)
    monkeypatch.setattr(dist, "PARTITION_CHARS", 5_000)  # about 40 partitions, several per worker
    cache = tmp_path / "parses.sqlite"
    remote = fb.load(df, cache=cache, progress=False, engine=client)
    _same(local, remote)
    assert len(remote.sentences) > 2000 and remote.claims["claim_id"].str.contains("-").any()  # repeated sentences
    # the workers' results went into this machine's cache: a local load reads them back
    monkeypatch.setattr("factbench.ingest.parse.get_nlp", lambda *a: pytest.fail("parsed again"))
    _same(local, fb.load(df, cache=cache, progress=False))


def test_cached_texts_are_not_sent_to_the_workers(tmp_path):
    df = generated(12)
    cache = tmp_path / "parses.sqlite"
    local = fb.load(df, cache=cache, progress=False)

    class NoWork:  # a client that must not be asked for anything
        def scheduler_info(self):
            return {"workers": {"w": {"nthreads": 1}}}

        def submit(self, *a, **k):
            pytest.fail("a cached text was sent to a worker")

    years = [int(p[:4]) for p in local.articles["published"]]
    store = ParseCache(cache)
    parsed = dist.parse_texts_distributed(NoWork(), list(local.articles["text"]), years=years, cache=store,
                                          progress=False)
    store.close()
    assert sum(len(p.sents) for p in parsed) == len(local.sentences)


def test_a_scheduler_address_works_too(client):
    df = generated(6)
    _same(fb.load(df, cache=False, progress=False),
          fb.load(df, cache=False, progress=False, engine=client.scheduler.address))


def test_a_worker_with_another_pipeline_is_refused(client):
    def patch(value):
        import factbench.claims.distributed as d

        if value is None:
            from factbench.ingest.nlp import default_pipeline_id

            d.default_pipeline_id = default_pipeline_id
        else:
            d.default_pipeline_id = lambda: value

    client.run(patch, "spacy0.0/en_other-9.9/ner")
    try:
        with pytest.raises(RuntimeError, match="worker runs spaCy pipeline 'spacy0.0/en_other-9.9/ner'"):
            fb.load(generated(4), cache=False, progress=False, engine=client)
    finally:
        client.run(patch, None)


def test_wrong_engine_arguments_are_clear():
    with pytest.raises(TypeError, match="engine must be a dask.distributed.Client"):
        fb.load(generated(2), cache=False, progress=False, engine=42)
    with pytest.raises(ValueError, match="nlp= or engine="):
        fb.load(generated(2), cache=False, progress=False, engine=object(), nlp=object())


# --- matching on Dask --------------------------------------------------------------------------------

def generated_claims(n: int, seed: int = 5) -> pd.DataFrame:
    """A claims table of ``n`` news-like sentences over 5 outlets, many restating one another."""
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        ev = rng.choice(EVENTS).format(n=rng.choice([84, 90, 150, 1200, rng.randint(2, 1500)]))
        day = f"June {rng.randint(1, 28)}"
        text = rng.choice([f"{rng.choice(SPEAKERS)} said {ev} on {day}.",
                           f"On {day}, {ev}, according to {rng.choice(SPEAKERS).lower()}.",
                           f"{ev[0].upper() + ev[1:]} on {day}, {rng.choice(SPEAKERS)} said, adding that more "
                           "talks were planned.",
                           f"{rng.choice(SPEAKERS)} denied that {ev}."])
        rows.append({"claim_id": f"c{k:05d}", "article_id": f"a{k // 12:04d}", "outlet": f"outlet {k // 12 % 5}",
                     "published": f"2025-06-{1 + k // 12 % 28:02d}", "text": text})
    return pd.DataFrame(rows)


def test_match_on_two_workers_equals_the_local_match_on_the_sample(client):
    corpus = fb.load(SAMPLE, progress=False)
    for kw in ({}, {"method": "lexical"}, {"model": "minilm-l6-static"}, {"cross_outlet": False, "threshold": 40}):
        local = fb.match(corpus, progress=False, **kw)
        remote = fb.match(corpus, progress=False, engine=client, **kw)
        pd.testing.assert_frame_equal(local, remote, obj=str(kw))
        assert len(local), kw
    # each worker process loaded each of the two encoders used once (or never), not once per task
    from factbench.ingest import encoder

    loads = client.run(lambda: encoder.load.cache_info().misses)
    assert max(loads.values()) <= 2 and sum(loads.values()) >= 2, loads


def test_worker_embeddings_equal_the_local_ones(client, monkeypatch):
    from factbench.matching import distributed as mdist, semantic

    texts = generated_claims(400)["text"].tolist()
    monkeypatch.setattr(mdist, "CLAIMS_PER_TASK", 37)  # 11 partitions of odd sizes
    for model in ("minilm-l6-int8", "minilm-l6-static"):
        here = semantic.embed(texts, model=model, progress=False)
        there = mdist.embed_distributed(client, texts, model)
        assert there.model == model
        assert np.array_equal(here.vecs, there.vecs) and np.array_equal(here.start, there.start)
        assert np.array_equal(here.clause_vecs, there.clause_vecs) and len(here.clause_vecs) > 100


@pytest.mark.parametrize("n, kw", [(600, {"model": "minilm-l6-int8"}),  # the transformer tier (slow: fewer claims)
                                   (3000, {}),  # the default beyond 2,000 claims: the static model
                                   (3000, {"method": "lexical"}),
                                   (3000, {"method": "lexical", "scorer": "factbench", "within_days": 3})])
def test_match_of_thousands_of_claims_in_many_partitions_equals_the_local_match(client, monkeypatch, n, kw):
    from factbench.matching import distributed as mdist

    claims = generated_claims(n)
    local = fb.match(claims, progress=False, **kw)
    monkeypatch.setattr(mdist, "CLAIMS_PER_TASK", 150)
    monkeypatch.setattr(mdist, "PAIRS_PER_TASK", 3000)
    monkeypatch.setattr(mdist, "TFIDF_ROWS_PER_TASK", 250)  # candidate generation in 12 blocks of rows
    monkeypatch.setattr(mdist, "SEARCH_ROWS_PER_TASK", 2048)  # the smallest search block (2 for 3,000 claims)
    remote = fb.match(claims, progress=False, engine=client, **kw)
    pd.testing.assert_frame_equal(local, remote)
    assert len(local) > n // 5
    if kw.get("method") == "lexical":
        assert local["method"].str.startswith("anchor:").any()  # the fact anchors ran on the workers too


def test_match_on_dask_switches_tiers_like_the_local_engine(client, monkeypatch):
    from factbench.matching import match as m

    claims = generated_claims(300)
    monkeypatch.setattr(m, "SEMANTIC_MAX", 200)
    remote = fb.match(claims, progress=False, engine=client.scheduler.address)  # an address works too
    assert len(remote) and not remote["method"].str.startswith("semantic").any()
    pd.testing.assert_frame_equal(fb.match(claims, progress=False), remote)


def test_a_worker_with_another_encoder_is_refused(client):
    def patch(value):
        import factbench.matching.distributed as d

        if value is None:
            d.model_digest = d._model_digest_orig
        else:
            d._model_digest_orig = d.model_digest
            d.model_digest = lambda model: value

    client.run(patch, "0000000000000000")
    try:
        with pytest.raises(RuntimeError, match="encoder 'minilm-l6-int8' differs from this machine's"):
            fb.match(generated_claims(40), progress=False, engine=client)
    finally:
        client.run(patch, None)


def test_match_engine_arguments_are_clear(client):
    claims = generated_claims(10)
    with pytest.raises(TypeError, match="engine must be a dask.distributed.Client"):
        fb.match(claims, progress=False, engine=42)
    for method in ("semantic", "lexical"):  # nothing to match: the local engine's empty table
        for few in (claims.head(0), claims.head(1)):
            pd.testing.assert_frame_equal(fb.match(few, method=method, progress=False),
                                          fb.match(few, method=method, progress=False, engine=client))
    with pytest.raises(ValueError, match="method must be"):
        fb.match(claims, method="magic", progress=False, engine=client)


# --- candidate generation in blocks of rows, on the workers -------------------------------------------

def _pairs_of(i, j):
    return list(zip(i.tolist(), j.tolist()))


@pytest.mark.parametrize("exact_max", [30_000, 500])  # exact products, and the faiss index beyond EXACT_MAX
def test_partitioned_candidates_equal_the_local_ones(monkeypatch, exact_max):
    """Row blocks of any size find the local blocking's and neighbour search's pairs (no cluster needed)."""
    from factbench.matching import blocking, partitions as P, semantic
    from factbench.matching.match import normalise_many

    claims = generated_claims(3000)
    groups, arts = pd.factorize(claims["outlet"])[0], pd.factorize(claims["article_id"])[0]
    norm = normalise_many(claims["text"].tolist())
    i, j = blocking.candidate_pairs(norm, groups=groups, articles=arts, floor=0.15)
    x = blocking.blocking_matrix(norm)
    for size in (1, 997, 3000):
        keys = [P.tfidf_block(x, a, b, floor=0.15, groups=groups, articles=arts) for a, b in P.row_blocks(3000, size)]
        assert _pairs_of(*P.merge_keys(keys, 3000)) == _pairs_of(i, j), size
    assert len(i) > 10_000
    monkeypatch.setattr(semantic, "EXACT_MAX", exact_max)
    e = semantic.embed(claims["text"].tolist(), model="minilm-l6-static", progress=False)
    index = P.serialized_ivf_index(e.vecs) if exact_max < 3000 else None
    i, j = semantic.neighbour_pairs(e.vecs, floor=0.55, groups=groups, articles=arts)
    keys = [P.neighbour_block(e.vecs, a, b, floor=0.55, k=semantic.NEIGHBOURS, groups=groups, articles=arts,
                              index=index) for a, b in P.row_blocks(3000, 2048, align=2048)]
    assert _pairs_of(*P.merge_keys(keys, 3000)) == _pairs_of(i, j) and len(i) > 10_000
    q = e.vecs[:700]  # query rows against the others (matching against earlier fact-checks)
    i, j = semantic.neighbour_pairs(e.vecs, query=q, floor=0.2, k=12)
    keys = [P.neighbour_block(e.vecs, a, b, floor=0.2, k=12, query=q, index=index) for a, b in [(0, 700)]]
    assert _pairs_of(*P.merge_keys(keys, 3000)) == _pairs_of(i, j) and len(i) > 5000
    with pytest.raises(ValueError, match="multiple of 2048"):
        P.neighbour_block(e.vecs, 100, 200, floor=0.5, k=5)
    P.release()


def _no_candidates_here(monkeypatch):
    """Make candidate generation fail in this process: it must run on the workers."""
    from factbench.matching import blocking, partitions, semantic

    def here(*a, **k):
        raise AssertionError("candidate generation ran on the client")

    for mod, name in ((blocking, "candidate_pairs"), (semantic, "neighbour_pairs"), (partitions, "tfidf_block"),
                      (partitions, "neighbour_block")):
        monkeypatch.setattr(mod, name, here)


@pytest.mark.parametrize("kw", [{"method": "lexical"}, {"model": "minilm-l6-static"}])
def test_candidate_generation_runs_on_the_workers(client, monkeypatch, kw):
    from factbench.matching import distributed as mdist, semantic

    claims = generated_claims(3000)
    monkeypatch.setattr(semantic, "EXACT_MAX", 1000)  # the faiss path: its index made once, sent to the workers
    local = fb.match(claims, progress=False, **kw)
    _no_candidates_here(monkeypatch)
    monkeypatch.setattr(mdist, "TFIDF_ROWS_PER_TASK", 400)
    monkeypatch.setattr(mdist, "SEARCH_ROWS_PER_TASK", 2048)
    remote = fb.match(claims, progress=False, engine=client, **kw)
    pd.testing.assert_frame_equal(local, remote)
    assert len(local) > 1000
    # the workers let go of the shared matrix and what they made from it once the match was done
    from factbench.matching import partitions

    assert set(client.run(lambda: len(partitions._held)).values()) == {0}


def _reference(n: int) -> pd.DataFrame:
    ref = generated_claims(n, seed=11)[["claim_id", "text"]]
    ref["claim_id"] = "fc-" + ref["claim_id"]
    return ref


@pytest.mark.parametrize("kw", [{}, {"model": "minilm-l6-static", "top": 5, "threshold": 0}])
def test_match_against_on_dask_equals_the_local_match(client, monkeypatch, kw):
    from factbench.matching import distributed as mdist

    claims, ref = generated_claims(240), _reference(150)
    local = fb.match(claims, against=ref, progress=False, **kw)
    _no_candidates_here(monkeypatch)
    monkeypatch.setattr(mdist, "CLAIMS_PER_TASK", 35)
    monkeypatch.setattr(mdist, "PAIRS_PER_TASK", 200)
    remote = fb.match(claims, against=ref, progress=False, engine=client, **kw)
    pd.testing.assert_frame_equal(local, remote)
    assert len(local) > 150 and local["rank"].max() == kw.get("top", 3)


def test_match_against_a_file_and_nothing_on_dask(client, tmp_path):
    claims, ref = generated_claims(60), _reference(40).rename(columns={"text": "claimReviewed"})
    path = tmp_path / "checks.csv"
    ref.to_csv(path, index=False)
    pd.testing.assert_frame_equal(fb.match(claims, against=path, progress=False),
                                  fb.match(claims, against=path, progress=False, engine=client))
    for few, against in ((claims.head(0), ref), (claims, ref.head(0))):
        pd.testing.assert_frame_equal(fb.match(few, against=against, progress=False),
                                      fb.match(few, against=against, progress=False, engine=client))
    with pytest.raises(fb.SchemaError, match="claim_id and text"):
        fb.match(claims[["text"]], against=ref, progress=False, engine=client)


def test_match_of_100k_claims_on_dask_equals_the_local_match(client):
    """The issue's 100k synthetic corpus, through the default tier at that size (the lexical path):
    normalising, TF-IDF blocking (5 blocks of 20,000 rows) and scoring on the workers, the same pairs."""
    claims = generated_claims(100_000)
    local = fb.match(claims, progress=False)
    remote = fb.match(claims, progress=False, engine=client)
    pd.testing.assert_frame_equal(local, remote)
    assert len(local) > 15_000 and local["method"].str.startswith("anchor:").any()
    assert not local["method"].str.startswith("semantic").any()
