"""Verdict stores for a team: writes per second to SQLite and to PostgreSQL, and `factbench merge`.

    python benchmarks/bench_store.py [--verdicts 1000] [--merge-rows 20000]

Starts a throwaway PostgreSQL server from Debian's postgresql package (as the tests do). Prints verdicts
per second for 1 writer and for 4 writer processes (one transaction per verdict, durable commits), then
the time to merge 4 reviewers' stores into a new SQLite file and into PostgreSQL, and to merge them again
(which adds nothing).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

WRITER = r"""
import sys, time, factbench as fb
store = fb.VerdictStore(sys.argv[1])
start = float(sys.argv[4])
time.sleep(max(0.0, start - time.time()))  # all writers start together, after their imports
for i in range(int(sys.argv[3])):
    store.record(f"c{i}", "supported" if i % 3 else "contradicted", reviewer=sys.argv[2], note=str(i))
print(time.time() - start)
"""


def writers(target: str, n_procs: int, n: int) -> float:
    """Seconds from the common start to the last writer's last acknowledged verdict."""
    start = time.time() + 20  # imports under a busy machine take a while; not part of the figure
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, target, f"r{k}", str(n), str(start)],
                              stdout=subprocess.PIPE, text=True) for k in range(n_procs)]
    outs = [p.communicate()[0] for p in procs]
    assert [p.returncode for p in procs] == [0] * n_procs
    return max(float(o.strip().splitlines()[-1]) for o in outs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verdicts", type=int, default=1000, help="verdicts per writer process")
    ap.add_argument("--merge-rows", type=int, default=20000, help="rows per reviewer store to merge")
    args = ap.parse_args()
    import factbench as fb
    from _pgserver import PgServer
    from factbench.storage.merge import merge

    server = PgServer()
    tmp = Path(tempfile.mkdtemp(prefix="fbstore-"))
    try:
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
        print(f"{'store':<12} {'writers':>7} {'verdicts':>8} {'seconds':>8} {'verdicts/s':>10}")
        for procs in (1, 4):
            for name in ("sqlite", "postgresql"):
                target = str(tmp / f"w{procs}.db") if name == "sqlite" else server.new_database()
                fb.VerdictStore(target).close()
                dt = writers(target, procs, args.verdicts)
                total = procs * args.verdicts
                assert len(fb.VerdictStore(target).to_frame()) == total
                print(f"{name:<12} {procs:>7} {total:>8} {dt:>8.2f} {total / dt:>10.0f}")
        # four reviewers' offline stores, written in bulk (record_many: one transaction per 500)
        sources = []
        for k in range(4):
            p = tmp / f"rev{k}.db"
            s = fb.VerdictStore(p)
            for start in range(0, args.merge_rows, 500):
                s.record_many([f"c{i}" for i in range(start, min(start + 500, args.merge_rows))],
                              "supported" if k % 2 else "contradicted", reviewer=f"rev{k}")
            s.undo(f"rev{k}")
            s.close()
            sources.append(p)
        rows = 4 * (args.merge_rows + 1)
        print(f"\nmerge of 4 stores, {rows} rows:")
        for name, target in (("sqlite", str(tmp / "team.db")), ("postgresql", server.new_database())):
            t0 = time.perf_counter()
            r1 = merge(sources, target)
            t1 = time.perf_counter()
            r2 = merge(sources, target)
            t2 = time.perf_counter()
            assert r1.added == rows and r2.added == 0
            kappa = fb.agreement(fb.VerdictStore(target))
            print(f"  into {name:<10}: {t1 - t0:6.2f} s ({rows / (t1 - t0):,.0f} rows/s); again (adds nothing) "
                  f"{t2 - t1:6.2f} s; agreement table {len(kappa)} rows")
    finally:
        server.close()


if __name__ == "__main__":
    main()
