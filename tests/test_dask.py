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
    with pytest.raises(NotImplementedError, match="against=.*runs locally"):
        fb.match(claims, against=claims, progress=False, engine=client)
    for method in ("semantic", "lexical"):  # nothing to match: the local engine's empty table
        for few in (claims.head(0), claims.head(1)):
            pd.testing.assert_frame_equal(fb.match(few, method=method, progress=False),
                                          fb.match(few, method=method, progress=False, engine=client))
    with pytest.raises(ValueError, match="method must be"):
        fb.match(claims, method="magic", progress=False, engine=client)
