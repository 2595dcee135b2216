"""What fb.discrepancies costs on many matched pairs, and where the time goes.

    python benchmarks/bench_findings.py [--devdata ../shared/devdata] [--copies 1 4 8]

The corpus: the 60 basil_dev articles (20 real events, three outlets each) loaded as one corpus and
matched (``fb.match``); without basil_dev, the sample (sample_data/). Each size repeats that claims
table ``copies`` times as separate events (new ids; every copy's statements end in a word of its own,
so the dependency parser, which runs only on statements with values, parses each copy anew). Printed
per size: matched pairs in, statements, flags out, wall seconds of ``fb.discrepancies`` with a cold
parse cache and again warm (the difference is the parser), statements parsed, seconds per 1,000 pairs
(cold where measured, else warm), peak resident memory of the process, and the ratio of the cold time per
pair to the first size's. Sizes over ``--cold-max`` copies reuse the first copy's texts (the parser's
cache serves them) and show the cost of everything but the parser at that size.
Also: the article-vs-summary mode (``against_source=``) on one basil article checked against another
(its cost on 671 FRANK pairs is printed by eval_findings.py, ``src_seconds``).
The machine may be shared: each figure is the better of two runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import pandas as pd

import factbench as fb
from factbench.findings import syntax

ROOT = Path(__file__).resolve().parents[1]


def base_corpus(devdata: Path):
    events = devdata / "basil_dev" / "events"
    if events.exists():
        sys.path.insert(0, str(Path(__file__).parent))
        from basil_score import score_module

        frames = []
        for path in sorted(events.glob("*.txt")):
            df, _ = score_module(devdata).read_event(path)
            df["outlet"] = df["outlet"] + "/" + path.stem
            frames.append(df)
        return "basil_dev (60 articles)", fb.load(pd.concat(frames, ignore_index=True), progress=False)
    return "sample_data", fb.load(ROOT / "sample_data", progress=False)


def repeat(claims: pd.DataFrame, pairs: pd.DataFrame, events: pd.DataFrame, k: int):
    ev = dict(zip(events.article_id.astype(str), events.event_id.astype(str)))
    cs, ps = [], []
    for c in range(k):
        tag = f"~{c}"
        word = "" if c == 0 else f" Copy{c}."
        cs.append(claims.assign(claim_id=claims.claim_id + tag, article_id=claims.article_id + tag,
                                text=claims.text + word,
                                event_id=claims.article_id.astype(str).map(ev).fillna("") + tag))
        ps.append(pairs.assign(claim_id_l=pairs.claim_id_l + tag, claim_id_r=pairs.claim_id_r + tag))
    return pd.concat(cs, ignore_index=True), pd.concat(ps, ignore_index=True)


def timed(fn, runs: int = 2):
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devdata", default=str(ROOT.parent / "shared" / "devdata"))
    ap.add_argument("--copies", type=int, nargs="+", default=[1, 5, 30])
    ap.add_argument("--cold-max", type=int, default=5, help="parse anew (cold) only up to this many copies")
    args = ap.parse_args(argv)
    name, corpus = base_corpus(Path(args.devdata))
    pairs = fb.match(corpus, progress=False)
    events = fb.events(corpus)
    print(f"corpus: {name}; {len(corpus.claims)} claims, {len(pairs)} matched pairs, {events.event_id.nunique()} events")
    print(f"{'copies':>6} {'pairs':>7} {'claims':>7} {'flags':>6} {'cold s':>7} {'warm s':>7} {'parsed':>7} "
          f"{'s/1k pairs':>10} {'ratio':>6} {'peak MB':>8}")
    base = None
    for k in args.copies:
        claims, ps = repeat(corpus.claims, pairs, events, k)
        cold, parsed = float("nan"), 0
        if k <= args.cold_max:
            cold = float("inf")
            for _ in range(2 if k == 1 else 1):
                syntax._CACHE.clear()
                t0 = time.perf_counter()
                flags = fb.discrepancies(claims, ps)
                cold = min(cold, time.perf_counter() - t0)
            parsed = len(syntax._CACHE)
        else:  # the same texts as the first copy: parsed once, then served from the parse cache
            claims = claims.assign(text=pd.concat([corpus.claims.text] * k, ignore_index=True))
            fb.discrepancies(claims, ps)
        warm, flags = timed(lambda: fb.discrepancies(claims, ps))
        per = (cold if cold == cold else warm) / max(len(ps), 1) * 1000
        base = base or per
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{k:>6} {len(ps):>7} {len(claims):>7} {len(flags):>6} {cold:>7.1f} {warm:>7.1f} {parsed:>7} "
              f"{per:>10.2f} {per / base if cold == cold else float('nan'):>6.2f} {peak:>8.0f}")
    arts = corpus.articles.article_id.astype(str).tolist()
    if len(arts) >= 2:
        two = corpus.articles.article_id.isin(arts[:2])
        sub = fb.load(pd.DataFrame({"text": corpus.articles.text[two].tolist(), "outlet": ["source", "checked"],
                                    "title": "", "published": ""}), progress=False)
        syntax._CACHE.clear()
        t, flags = timed(lambda: fb.discrepancies(sub, against_source="source"), runs=1)
        n = int((sub.sentences.article_id != sub.articles.article_id[sub.articles.outlet == "source"].iloc[0]).sum())
        print(f"against_source: {n} checked sentences against {len(sub.sentences) - n}: {t:.2f} s cold, "
              f"{len(flags)} flags (two outlets' reports of one event: what one gives and the other lacks)")


if __name__ == "__main__":
    main()
