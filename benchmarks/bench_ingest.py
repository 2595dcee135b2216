"""Ingest speed: cold load (parse with spaCy) and cached re-load of a generated news corpus.

    python benchmarks/bench_ingest.py [--sentences 20000]

Each phase runs in its own process, so its peak memory (max RSS) is its own. Prints sentences per
second, seconds, peak memory and the cached/cold speed ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTORS = ["The Russian Ministry of Defense", "Ukraine's coordination headquarters", "President Volodymyr Zelensky",
          "Dmitry Peskov", "The Red Cross", "Turkey's foreign ministry", "The UN human rights office", "TASS",
          "Reuters", "A source within the negotiating group", "Kyiv", "Moscow", "The European Commission"]
VERBS = ["said", "announced", "confirmed", "reported", "stated", "told reporters", "denied", "wrote on Telegram"]
EVENTS = ["the exchange of {n} prisoners of war", "the return of {n} soldiers", "the transfer of {n} bodies",
          "a ceasefire along {n} kilometres of the front", "talks in Istanbul", "the release of {n} civilians",
          "an air attack with {n} drones", "aid worth {n} million euros"]
FILLERS = ["The broader implications remain unclear.", "Both sides have accused each other of delays.",
           "Observers described the atmosphere as tense but constructive.", "What happens next is uncertain.",
           "Many families are still waiting for news.", "Thank you for reading."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def make_corpus(n_sentences: int, seed: int = 7) -> "object":
    import pandas as pd

    rng = random.Random(seed)
    rows, count, i = [], 0, 0
    while count < n_sentences:
        sents = []
        for _ in range(20):
            if rng.random() < 0.2:
                sents.append(rng.choice(FILLERS))
                continue
            ev = rng.choice(EVENTS).format(n=rng.randint(2, 1500))
            date = f"{rng.choice(MONTHS)} {rng.randint(1, 28)}"
            sents.append(f"{rng.choice(ACTORS)} {rng.choice(VERBS)} that {ev} took place on {date}, "
                         f"{rng.randint(2, 30)} days after {rng.choice(EVENTS).format(n=rng.randint(2, 900))}.")
        paras = ["  ".join(sents[k:k + 4]) for k in range(0, 20, 4)]
        rows.append({"article_id": f"gen{i:05d}", "outlet": f"outlet {i % 7}", "text": "\n\n".join(paras)})
        count += len(sents)
        i += 1
    return pd.DataFrame(rows)


def phase(n: int, cache: str) -> dict:
    import factbench as fb

    df = make_corpus(n)
    t0 = time.perf_counter()
    corpus = fb.load(df, cache=cache, progress=False)
    dt = time.perf_counter() - t0
    return {"sentences": len(corpus.sentences), "claims": len(corpus.claims), "seconds": dt,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--sentences", type=int, default=20000)
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.sentences, args.cache)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        cache = str(Path(tmp) / "parses.sqlite")
        res = {}
        for name in ("cold", "cached"):
            out = subprocess.run([sys.executable, __file__, "--phase", name, "--sentences", str(args.sentences),
                                  "--cache", cache], capture_output=True, text=True, check=True,
                                 env={**os.environ, "PYTHONWARNINGS": "ignore"})
            res[name] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'load':<8} {'sentences':>9} {'claims':>7} {'seconds':>8} {'sent/s':>9} {'peak MB':>8}")
    for name, r in res.items():
        print(f"{name:<8} {r['sentences']:>9} {r['claims']:>7} {r['seconds']:>8.2f} "
              f"{r['sentences'] / r['seconds']:>9.0f} {r['peak_mb']:>8.0f}")
    print(f"cached re-load is {res['cold']['seconds'] / res['cached']['seconds']:.0f}x faster than cold")


if __name__ == "__main__":
    main()
