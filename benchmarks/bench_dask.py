"""Ingest through the Dask engine: the local engine, then a LocalCluster of 1 and of 2 worker processes.

    python benchmarks/bench_dask.py [--sentences 20000]

Cold loads (no parse cache) of bench_ingest's generated news corpus. Each phase runs in its own process;
it prints seconds, sentences per second, the speed-up over the local engine and over 1 worker, the peak
memory (max RSS) of the client and of each worker, and per-claim costs (worker-seconds per claim, client
bytes per claim) from which the README extrapolates to 10M and 100M claims.
"""

from __future__ import annotations

import argparse
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
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


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
    out = {"sentences": len(corpus.sentences), "claims": len(corpus.claims), "seconds": dt, "setup": setup,
           "cpu": cpu, "workers_cpu": workers_cpu, "client_mb": _peak_mb(), "workers_mb": [],
           "table_bytes": int(sum(getattr(corpus, t).memory_usage(deep=True).sum()
                                  for t in ("articles", "sentences", "claims")))}
    if client is not None:
        out["workers_mb"] = sorted(client.run(_peak_mb).values())
        client.close()
        cluster.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sentences", type=int, default=20000)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    args = ap.parse_args()
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
    assert len({(r["sentences"], r["claims"]) for r in res.values()}) == 1, "engines disagree"
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
