"""Ingest through the Dask engine: the local engine, then a LocalCluster of 1 and of 2 worker processes.

    python benchmarks/bench_dask.py [--sentences 20000]
    python benchmarks/bench_dask.py --match [--claims 10000] [--methods semantic,lexical]
    python benchmarks/bench_dask.py --match --claims 100000 --methods lexical   # the 100k equality check

Ingest: cold loads (no parse cache) of bench_ingest's generated news corpus. Each phase runs in its own process;
it prints seconds, sentences per second, the speed-up over the local engine and over 1 worker, the peak
memory (max RSS) of the client and of each worker, and per-claim costs (worker-seconds per claim, client
bytes per claim) from which the README extrapolates to 10M and 100M claims.

Match (``--match``): ``fb.match`` of a generated claims table (news-like sentences over 5 outlets, many
restating one another), the default tier (the static encoder at this size) and the lexical one, locally
and through 1 and 2 workers: seconds, CPU time of the client and of the workers, peak memory, and a
check that every engine gives the same pairs and scores (it fails otherwise). With one method: per-claim
costs and their extrapolation to 10M and 100M claims. The machine may be shared: compare CPU times.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_ingest import make_corpus  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the local matcher's forked normalising
    workers; a Dask worker's CPU is read on the worker)."""
    r, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime + c.ru_utime + c.ru_stime


def phase(name: str, n: int) -> dict:
    import logging

    import factbench as fb

    df = make_corpus(n)
    client = cluster = None
    setup = 0.0
    if name != "local":
        from distributed import Client, LocalCluster

        t0 = time.perf_counter()
        cluster = LocalCluster(n_workers=int(name[-1]), threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
        setup = time.perf_counter() - t0
    workers_cpu0 = sum(client.run(_cpu).values()) if client is not None else 0.0
    cpu0 = _cpu()
    t0 = time.perf_counter()
    corpus = fb.load(df, cache=False, progress=False, engine=client)
    dt = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    workers_cpu = sum(client.run(_cpu).values()) - workers_cpu0 if client is not None else 0.0
    digest = hashlib.sha256()
    for t in ("articles", "sentences", "claims"):  # the whole tables, to compare the engines
        digest.update(getattr(corpus, t).to_csv(index=False).encode())
    out = {"sentences": len(corpus.sentences), "claims": len(corpus.claims), "seconds": dt, "setup": setup,
           "digest": digest.hexdigest()[:12],
           "cpu": cpu, "workers_cpu": workers_cpu, "client_mb": _peak_mb(), "workers_mb": [],
           "table_bytes": int(sum(getattr(corpus, t).memory_usage(deep=True).sum()
                                  for t in ("articles", "sentences", "claims")))}
    if client is not None:
        out["workers_mb"] = sorted(client.run(_peak_mb).values())
        client.close()
        cluster.close()
    return out


def make_claims(n: int, seed: int = 5):
    """A claims table of ``n`` news-like sentences over 5 outlets, many restating one another."""
    import random

    import pandas as pd

    speakers = ["The defence ministry", "Ukraine's coordination headquarters", "President Volodymyr Zelensky",
                "Dmitry Peskov", "The Red Cross", "A source close to the talks", "Officials", "Reuters"]
    events = ["{n} prisoners of war were exchanged", "{n} bodies were returned", "talks will resume in Istanbul",
              "a ceasefire along {n} kilometres of the front was agreed", "{n} drones were shot down overnight",
              "aid worth {n} million euros arrived"]
    rng = random.Random(seed)
    rows = []
    for k in range(n):
        ev = rng.choice(events).format(n=rng.choice([84, 90, 150, 1200, rng.randint(2, 1500)]))
        day = f"June {rng.randint(1, 28)}"
        text = rng.choice([f"{rng.choice(speakers)} said {ev} on {day}.",
                           f"On {day}, {ev}, according to {rng.choice(speakers).lower()}.",
                           f"{ev[0].upper() + ev[1:]} on {day}, {rng.choice(speakers)} said, adding that more "
                           "talks were planned.",
                           f"{rng.choice(speakers)} denied that {ev}."])
        rows.append({"claim_id": f"c{k:06d}", "article_id": f"a{k // 12:05d}", "outlet": f"outlet {k // 12 % 5}",
                     "text": text})
    return pd.DataFrame(rows)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def planted_claims(n: int):
    """bench_match.py's corpus: a 40,000-word Zipf vocabulary and planted near-duplicates over outlets (the
    vocabulary and candidate counts of real text, where make_claims repeats a few dozen phrases)."""
    import pandas as pd
    from bench_match import make_corpus as planted

    texts, outlets, _ = planted(n)
    return pd.DataFrame({"claim_id": [f"c{k}" for k in range(n)], "article_id": [f"a{k}" for k in range(n)],
                         "outlet": outlets, "text": texts})


def match_phase(name: str, n: int, methods: list[str], corpus: str = "news") -> dict:
    import logging

    import factbench as fb

    claims = planted_claims(n) if corpus == "planted" else make_claims(n)
    client = cluster = None
    if name != "local":
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=int(name[-1]), threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    from factbench.matching import semantic

    for method in methods:  # warm up: libraries imported and the tier's encoder loaded here and on the workers
        tier = semantic.model_for(n) if method == "semantic" else None
        fb.match(claims.head(300), method=method, model=tier, progress=False, engine=client)
    out = {"rss_before_mb": _rss_mb(), "workers_before_mb": client.run(_rss_mb) if client else {}}
    for method in methods:
        workers_cpu0 = sum(client.run(_cpu).values()) if client is not None else 0.0
        cpu0 = _cpu()
        t0 = time.perf_counter()
        pairs = fb.match(claims, method=method, progress=False, engine=client)
        dt = time.perf_counter() - t0
        out[method] = {"seconds": dt, "cpu": _cpu() - cpu0, "pairs": len(pairs),
                       "workers_cpu": sum(client.run(_cpu).values()) - workers_cpu0 if client is not None else 0.0,
                       "method": str(pairs["method"].iloc[0]).split(":")[0] if len(pairs) else "",
                       "digest": hashlib.sha256(pairs.to_csv(index=False).encode()).hexdigest()[:12]}
    out["client_mb"] = _peak_mb()
    out["workers_mb"] = sorted(client.run(_peak_mb).values()) if client is not None else []
    if client is not None:
        peaks = client.run(_peak_mb)
        out["workers_growth_mb"] = max(peaks[w] - out["workers_before_mb"][w] for w in peaks)
        del out["workers_before_mb"]
        client.close()
        cluster.close()
    elif "lexical" in methods:  # the TF-IDF matrix each worker holds (with its transpose) during blocking
        from factbench.matching.blocking import blocking_matrix
        from factbench.matching.match import normalise_many

        x = blocking_matrix(normalise_many(claims["text"].tolist(), stop_words=False))
        out["matrix_bytes"] = int(x.data.nbytes + x.indices.nbytes + x.indptr.nbytes)
    return out


def main_match(n: int, methods: list[str], corpus: str = "news") -> None:
    res = {}
    load = os.getloadavg()[0]
    for name in ("local", "dask1", "dask2"):
        out = subprocess.run([sys.executable, __file__, "--match-phase", name, "--claims", str(n),
                              "--methods", ",".join(methods), "--corpus", corpus], capture_output=True, text=True,
                             check=True,
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
        res[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{os.cpu_count()} cores (shared with other jobs: compare CPU times), load average {load:.1f} before / "
          f"{os.getloadavg()[0]:.1f} after; fb.match of {n} generated claims ({corpus} corpus)")
    print(f"{'engine':<16} {'tier':<28} {'pairs':>7} {'seconds':>8} {'vs local':>8} {'vs 1 wkr':>8} "
          f"{'client CPU s':>12} {'workers CPU s':>13} {'client MB':>9} {'worker MB':>10}")
    for method in methods:
        base, one = res["local"][method]["seconds"], res["dask1"][method]["seconds"]
        for name, label in (("local", "local"), ("dask1", "dask, 1 worker"), ("dask2", "dask, 2 workers")):
            r = res[name][method]
            workers = "/".join(f"{m:.0f}" for m in res[name]["workers_mb"]) or "-"
            print(f"{label:<16} {r['method']:<28} {r['pairs']:>7} {r['seconds']:>8.1f} {base / r['seconds']:>7.2f}x "
                  f"{one / r['seconds']:>7.2f}x {r['cpu']:>12.1f} {r['workers_cpu']:>13.1f} "
                  f"{res[name]['client_mb']:>9.0f} {workers:>10}")
        assert len({res[e][method]["digest"] for e in res}) == 1, f"engines disagree ({method})"
    print("every engine gave the same pairs and scores (checksums of the pairs tables agree)")
    if len(methods) != 1:
        return
    r, d2 = res["local"][methods[0]], res["dask2"]
    worker_ms, client_ms = d2[methods[0]]["workers_cpu"] / n * 1e3, d2[methods[0]]["cpu"] / n * 1e3
    client_kb = (d2["client_mb"] - d2["rss_before_mb"]) * 1024 / n
    worker_kb = d2["workers_growth_mb"] * 1024 / n
    print(f"per claim: local {r['cpu'] / n * 1e3:.2f} ms CPU; dask {worker_ms:.2f} ms on the workers + {client_ms:.2f} ms "
          f"on the client; memory growth during the match: client {client_kb:.2f} KB/claim, a worker {worker_kb:.2f} KB/claim"
          + (f"; TF-IDF matrix {res['local']['matrix_bytes'] / n:.0f} bytes/claim" if "matrix_bytes" in res["local"] else ""))
    if methods[0] != "lexical":  # the default beyond 50,000 claims is the lexical tier
        return
    for claims in (10_000_000, 100_000_000):
        hours = claims * worker_ms / 1e3 / 3600
        print(f"  {claims / 1e6:.0f}M claims: {hours:.1f} worker core-hours (~{hours * 60 / 64:.0f} min on 64 worker "
              f"cores), client {claims * client_ms / 1e3 / 3600:.1f} CPU-hours and ~{claims * client_kb / 2**20:.0f} GB "
              f"beyond the claims table, a worker ~{claims * worker_kb / 2**20:.0f} GB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=20000)
    ap.add_argument("--match", action="store_true", help="measure fb.match instead of ingest")
    ap.add_argument("--claims", type=int, default=10000, help="claims to match (with --match)")
    ap.add_argument("--methods", default="semantic,lexical", help="match methods, comma-separated (with --match)")
    ap.add_argument("--corpus", default="news", choices=["news", "planted"],
                    help="news: a few dozen news phrases restated; planted: bench_match.py's Zipf corpus")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--match-phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.match_phase:
        print(json.dumps(match_phase(args.match_phase, args.claims, args.methods.split(","), args.corpus)))
        return
    if args.match:
        main_match(args.claims, args.methods.split(","), args.corpus)
        return
    if args.phase:
        print(json.dumps(phase(args.phase, args.sentences)))
        return
    res = {}
    load = os.getloadavg()[0]
    for name in ("local", "dask1", "dask2"):
        out = subprocess.run([sys.executable, __file__, "--phase", name, "--sentences", str(args.sentences)],
                             capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONWARNINGS": "ignore"})
        res[name] = json.loads(out.stdout.strip().splitlines()[-1])
    base, one = res["local"]["seconds"], res["dask1"]["seconds"]
    print(f"{os.cpu_count()} cores, load average {load:.1f} before / {os.getloadavg()[0]:.1f} after; cold loads of {res['local']['sentences']} generated sentences, "
          f"{res['local']['claims']} claims")
    print(f"{'engine':<16} {'seconds':>8} {'sent/s':>7} {'vs local':>8} {'vs 1 wkr':>8} {'client CPU s':>12} "
          f"{'workers CPU s':>13} {'client MB':>9} {'worker MB':>10} {'start s':>7}")
    for name, label in (("local", "local"), ("dask1", "dask, 1 worker"), ("dask2", "dask, 2 workers")):
        r = res[name]
        workers = "/".join(f"{m:.0f}" for m in r["workers_mb"]) or "-"
        print(f"{label:<16} {r['seconds']:>8.1f} {r['sentences'] / r['seconds']:>7.0f} {base / r['seconds']:>7.2f}x "
              f"{one / r['seconds']:>7.2f}x {r['cpu']:>12.1f} {r['workers_cpu']:>13.1f} {r['client_mb']:>9.0f} "
              f"{workers:>10} {r['setup']:>7.1f}")
    assert len({r["digest"] for r in res.values()}) == 1, "engines disagree"
    print(f"every engine gave the same articles, sentences and claims (checksum {res['local']['digest']} of the tables)")
    n = res["local"]["claims"]
    local_ms = res["local"]["cpu"] / n * 1e3
    worker_ms = res["dask2"]["workers_cpu"] / n * 1e3
    client_ms = res["dask2"]["cpu"] / n * 1e3
    per_claim = res["dask2"]["table_bytes"] / n
    print(f"per claim (CPU time, so less sensitive to a busy machine than wall time): local {local_ms:.2f} ms; "
          f"dask: {worker_ms:.2f} ms on the workers + {client_ms:.2f} ms on the client; client tables "
          f"{per_claim:.0f} bytes/claim (sentences and articles included)")
    for claims in (10_000_000, 100_000_000):
        hours = claims * worker_ms / 1e3 / 3600
        print(f"  {claims / 1e6:.0f}M claims: {hours:.0f} worker core-hours (~{hours / 64:.1f} h on 64 worker cores), "
              f"client {claims * client_ms / 1e3 / 3600:.1f} CPU-hours and ~{claims * per_claim / 1e9:.0f} GB of tables")


if __name__ == "__main__":
    main()
