"""The Dask engine for ingest: a LocalCluster of 2 worker processes gives the local engine's tables."""

from __future__ import annotations

import logging
import random

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
