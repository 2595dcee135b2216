"""Review speed with a large corpus: time to show the next claim and to record a verdict.

    python benchmarks/bench_review.py [--claims 100000] [--steps 300]
    python benchmarks/bench_review.py --store-log 100000     # undo() and current() on a long log

Uses a real SQLite verdict store on disk (WAL, full sync) and the pure session + HTML rendering that
the panel runs on every click (the widget layer adds only the message round trip). Prints medians
and 95th percentiles in milliseconds.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from factbench.review.render import claim_view, render_claim, render_progress
from factbench.review.session import ReviewSession
from factbench.storage.store import VerdictStore


def make(n: int, seed: int = 5):
    rng = random.Random(seed)
    words = ["ministry", "said", "soldiers", "returned", "exchange", "talks", "Istanbul", "prisoners", "agreed",
             "released", "over", "the", "on", "in", "and", "of", "Kyiv", "Moscow", "Belarus", "confirmed"]
    texts = [" ".join(rng.choice(words) for _ in range(20)) + f" {rng.randint(2, 5000)} on June {rng.randint(1, 28)}."
             for _ in range(n)]
    claims = pd.DataFrame({"claim_id": [f"c{k:06d}" for k in range(n)], "article_id": [f"a{k // 10}" for k in range(n)],
                           "outlet": [f"outlet {k % 25}" for k in range(n)], "text": texts,
                           "checkworthiness": [rng.random() for _ in range(n)], "sourcing": ["named"] * n,
                           "speaker": ["the ministry"] * n, "start": [0] * n, "end": [len(t) for t in texts]})
    groups = pd.DataFrame({"claim_id": claims["claim_id"], "group_id": [f"g{k // 3}" for k in range(n)], "group_size": 3})
    ids = claims["claim_id"].to_numpy()
    pairs = pd.DataFrame({"claim_id_l": ids[:-1:2], "claim_id_r": ids[1::2][: len(ids[:-1:2])], "score": 80.0})
    return claims, groups, pairs


def ms(xs):
    a = np.array(xs) * 1000
    return f"median {np.median(a):6.2f} ms, p95 {np.percentile(a, 95):6.2f} ms"


def bench_store_log(n: int, reps: int = 20) -> None:
    """undo() and current() of one reviewer whose log holds ``n`` verdicts (over n/5 claims), with a
    second reviewer's n verdicts beside them in the same file."""
    verdicts = ["supported", "contradicted", "unsourced"]
    with tempfile.TemporaryDirectory() as tmp:
        store = VerdictStore(Path(tmp) / "reviews.db")
        t0 = time.perf_counter()
        claims = [f"c{k:06d}" for k in range(max(1, n // 5))]
        for reviewer in ("ana", "ben"):
            for b in range(0, n, 1000):
                ids = [claims[k % len(claims)] for k in range(b, min(n, b + 1000))]
                store.record_many(ids, verdicts[(b // 1000) % 3], reviewer=reviewer, note="bench")
        fill = time.perf_counter() - t0
        cur, und = [], []
        for _ in range(reps):
            t = time.perf_counter()
            current = store.current("ana")
            cur.append(time.perf_counter() - t)
            t = time.perf_counter()
            store.undo("ana")
            und.append(time.perf_counter() - t)
        rows = len(store.to_frame())
    print(f"store log: {rows} rows ({n} verdicts of 'ana' over {len(current)} claims, {n} of 'ben'); filled in {fill:.1f} s")
    print(f"current('ana'): {ms(cur)}")
    print(f"undo('ana'):    {ms(und)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--claims", type=int, default=100000)
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--store-log", type=int, default=0, metavar="N",
                    help="instead: time undo() and current() on a store holding N verdicts of one reviewer")
    args = ap.parse_args()
    if args.store_log:
        bench_store_log(args.store_log)
        return
    claims, groups, pairs = make(args.claims)
    with tempfile.TemporaryDirectory() as tmp:
        store = VerdictStore(Path(tmp) / "reviews.db")
        t0 = time.perf_counter()
        s = ReviewSession(claims, store=store, reviewer="ana", groups=groups, pairs=pairs)
        render_claim(claim_view(s))
        start = time.perf_counter() - t0
        show, record = [], []
        for _ in range(args.steps):
            t = time.perf_counter()
            s.next()
            render_claim(claim_view(s))
            render_progress(s.progress())
            show.append(time.perf_counter() - t)
            t = time.perf_counter()
            s.submit("supported", note="ok", advance=False)
            record.append(time.perf_counter() - t)
        n_rows = len(store.to_frame())
    print(f"{args.claims} claims, {args.steps} steps, SQLite store on disk ({n_rows} verdict rows)")
    print(f"open the session and show the first claim: {start * 1000:.0f} ms")
    print(f"show the next claim (session + HTML + progress): {ms(show)}   (target < 50 ms)")
    print(f"record a verdict (append, fsync):               {ms(record)}   (target < 10 ms)")


if __name__ == "__main__":
    main()
