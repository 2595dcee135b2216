"""The Dask engine for ingest: parsing and per-sentence analysis partitioned over a Dask cluster.

``fb.load(source, engine=client)`` with a :class:`dask.distributed.Client` (or a scheduler address,
``"tcp://scheduler:8786"``) reads the articles here, sends the texts that are not in the parse cache to
the workers in partitions of whole articles, and builds the same sentences and claims tables as the local
engine from what comes back (the same sentences, claims and ids: each article is parsed and analysed by
the same code, and claim ids depend only on the article). Each worker process loads the spaCy pipeline
once and keeps it. Only a few partitions per worker are in flight at a time, so the cluster's memory
does not grow with the corpus; results go into this machine's parse cache as they arrive, so an
interrupted load resumes where it stopped.

Workers need the same factbench and spaCy pipeline as this machine (``pip install 'factbench[dask]'`` on
each); a worker with another pipeline is refused, since its results would differ from a local load. Run
workers with one thread each (``dask worker tcp://… --nthreads 1 --nworkers <cores>``): spaCy work holds
the GIL, so processes, not threads, give the speed-up.
"""

from __future__ import annotations

import itertools
from contextlib import closing
import threading
import uuid
from typing import Sequence

from ..ingest.nlp import default_pipeline_id
from ..ingest.parse import ParseCache, Parsed, cache_key, parse_texts
from .facts import ANALYSIS_VERSION, analyse

#: characters of article text per partition: large enough that a task's overhead (milliseconds) is
#: small next to its parse (~1 s per 100k characters on one core), small enough to spread the work
PARTITION_CHARS = 200_000

_worker_lock = threading.Lock()  # one spaCy run at a time in a worker process, whatever its thread count


def parse_partition(texts: Sequence[str], years: Sequence[int | None]) -> tuple[str, list[Parsed]]:
    """On a worker: parse and analyse one partition of article texts (the local engine's code).

    Returns the worker's pipeline id with the results, so the client can refuse a mismatched worker.

    >>> pid, parsed = parse_partition(["Kyiv said 84 prisoners were freed on June 19."], [2025])
    >>> pid == default_pipeline_id(), parsed[0].facts[0][0]
    (True, [84.0])
    """
    with _worker_lock:
        parsed = parse_texts(list(texts), years=list(years), cache=None, progress=False, analyse=analyse,
                             analysis_version=ANALYSIS_VERSION)
    return default_pipeline_id(), parsed


def partitions(lengths: Sequence[int], max_chars: int = PARTITION_CHARS, min_parts: int = 1) -> list[list[int]]:
    """Indexes of consecutive texts, grouped so that each group holds about ``max_chars`` characters
    (fewer when that is needed to give at least ``min_parts`` groups).

    >>> partitions([5, 5, 5, 5], max_chars=10)
    [[0, 1], [2, 3]]
    >>> partitions([5, 5, 5, 5], max_chars=100, min_parts=2)
    [[0, 1], [2, 3]]
    """
    total = sum(lengths)
    if not lengths:
        return []
    target = max(1, min(max_chars, -(-total // max(1, min_parts))))
    out, cur, size = [], [], 0
    for i, n in enumerate(lengths):
        if cur and size + n > target:
            out.append(cur)
            cur, size = [], 0
        cur.append(i)
        size += n
    out.append(cur)
    return out


def dask_client(engine):
    """``(client, owned)``: a ``dask.distributed.Client`` as given, or one connected to a scheduler address
    (owned: the caller closes it)."""
    if isinstance(engine, str):
        from distributed import Client

        return Client(engine), True
    if not hasattr(engine, "submit") or not hasattr(engine, "scheduler_info"):
        raise TypeError(f"engine must be a dask.distributed.Client or a scheduler address, not {type(engine).__name__}")
    return engine, False


def worker_threads(client) -> int:
    """The cluster's worker threads, all workers together (at least 1)."""
    workers = client.scheduler_info().get("workers", {})
    return max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))


def run_bounded(client, fn, jobs: list, build, *, name: str, sizes: list[int], desc: str, unit: str,
                progress: bool):
    """Yield ``(n, fn(*build(jobs[n])))`` as the cluster finishes them, with a few tasks per worker thread
    in flight (arguments are built only when a task is sent; explicit keys: no hashing of the data,
    never reused from another run). Tasks left when the caller stops are cancelled."""
    from distributed import as_completed
    from tqdm.auto import tqdm

    threads = worker_threads(client)
    run = uuid.uuid4().hex[:8]
    pending = iter(enumerate(jobs))

    def submit(n: int, job):
        return client.submit(fn, *build(job), key=f"factbench-{name}-{run}-{n}", pure=False, retries=1)

    futures = {submit(n, job): n for n, job in itertools.islice(pending, 2 * threads)}
    bar = tqdm(total=sum(sizes), desc=f"{desc} on {threads} worker thread(s)", unit=unit,
               disable=not progress or not jobs)
    done = as_completed(list(futures))
    try:
        for fut in done:
            n = futures.pop(fut)
            result = fut.result()
            fut.release()
            yield n, result
            bar.update(sizes[n])
            nxt = next(pending, None)
            if nxt is not None:
                f = submit(*nxt)
                futures[f] = nxt[0]
                done.add(f)
    finally:
        bar.close()
        for f in futures:
            f.cancel()


def parse_texts_distributed(engine, texts: Sequence[str], *, years: Sequence[int | None] | None = None,
                            cache: ParseCache | None = None, progress: bool = True,
                            max_chars: int | None = None) -> list[Parsed]:
    """:func:`~factbench.ingest.parse.parse_texts` with the claims analysis, on a Dask cluster."""
    client, own = dask_client(engine)
    try:
        version = default_pipeline_id()
        years = list(years) if years is not None else [None] * len(texts)
        keys = [cache_key(t, version, y, ANALYSIS_VERSION) for t, y in zip(texts, years)]
        have = cache.get_many(set(keys)) if cache else {}
        todo = [i for i, k in enumerate(keys) if k not in have]
        results: dict[int, Parsed] = {}
        threads = worker_threads(client)
        parts = [[todo[j] for j in p] for p in
                 partitions([len(texts[i]) for i in todo], max_chars or PARTITION_CHARS, min_parts=threads)]
        # an explicit key per partition: no hashing of the texts; never reused from another load
        finished = run_bounded(client, parse_partition, parts,
                               lambda idx: ([texts[i] for i in idx], [years[i] for i in idx]), name="parse",
                               sizes=[len(p) for p in parts], desc="parsing", unit="article", progress=progress)
        with closing(finished):  # closed, its tasks cancelled, on any error here
            for n, (worker_version, parsed) in finished:
                if worker_version != version:
                    raise RuntimeError(f"a Dask worker runs spaCy pipeline {worker_version!r}, this machine "
                                       f"{version!r}: results would differ from a local load; install the same "
                                       "factbench and pipeline on every worker")
                idx = parts[n]
                for i, p in zip(idx, parsed):
                    results[i] = p
                if cache:  # into the local cache as they arrive: a crash later loses no finished partition
                    cache.put_many({keys[i]: p for i, p in zip(idx, parsed)})
        return [have[keys[i]] if keys[i] in have else results[i] for i in range(len(texts))]
    finally:
        if own:
            client.close()
