"""Matching at scale: a synthetic multi-outlet corpus with planted near-duplicates.

    python benchmarks/bench_match.py [--sizes 10000 100000 1000000] [--method semantic|lexical] [--no-brute]

``--method semantic`` (the default matcher) also prints the encoders' throughput (sentences/s) on 300
(transformer) and 2,000 (static) of the corpus's sentences. Brute force runs with ``--method lexical`` only.

Each size runs in its own process and prints: wall seconds of ``fb.match`` (libraries already
imported, as in a running kernel) and its CPU seconds (threads, and worker processes apart), the process's
peak resident memory while it runs (sampled every
50 ms) next to the memory the generated corpus already held before it, candidates per claim, and recall / precision against the planted
pairs. At 10k it also runs brute-force ``rapidfuzz.process.cdist`` with the same scorer and threshold
in the same process, and prints the speed ratio and the recall of the fast path against brute force.

Planted near-duplicates: a statement reported by 2-5 outlets, each copy changed by 1-3 of: two words
swapped, clauses reordered, a word or two dropped, a number changed, a date changed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def _function_words() -> tuple[list[str], np.ndarray]:
    """English function words with Zipf weights (the most common first), as in real text."""
    from spacy.lang.en.stop_words import STOP_WORDS

    head = ("the of and to a in that is was for on with as by he it at from his said an be have has are were "
            "not this which or had but they their its who been would will after more about also than over "
            "into up out one two we its all there when new other some what could year last first").split()
    rest = sorted(w for w in STOP_WORDS if w.isalpha() and w not in head)
    words = list(dict.fromkeys(head + rest))
    weights = 1.0 / np.arange(1, len(words) + 1) ** 1.1
    return words, weights / weights.sum()


def _vocab(rng: np.random.Generator, n: int = 40000) -> np.ndarray:
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    p = np.array([12.7, 9.1, 8.2, 7.5, 7.0, 6.7, 6.3, 6.1, 6.0, 4.3, 4.0, 2.8, 2.8, 2.4, 2.4, 2.2, 2.0, 2.0,
                  1.9, 1.5, 1.0, 0.8, 0.2, 0.2, 0.1, 0.1])
    p /= p.sum()
    lengths = rng.integers(4, 11, n)
    words = np.array(sorted({"".join(rng.choice(letters, size=k, p=p)) for k in lengths}))
    rng.shuffle(words)  # frequency rank must not follow the alphabet
    return words


def make_corpus(n_claims: int, seed: int = 11):
    """(texts, outlets, cluster ids) with planted clusters; cluster -1 is a unique statement."""
    rng = np.random.default_rng(seed)
    vocab = _vocab(rng)
    # content words follow Zipf's law below the function words, which take the top ranks in real text
    zipf = 1.0 / (np.arange(1, len(vocab) + 1) + 100) ** 1.05
    zipf /= zipf.sum()
    n_outlets = 40
    texts, outlets, clusters = [], [], []
    cluster = 0
    fwords, fweights = _function_words()
    fwords = np.array(fwords)
    cdf, fcdf = np.cumsum(zipf), np.cumsum(fweights)  # sample by inverse CDF: fast for 1M sentences
    while len(texts) < n_claims:
        n_words = int(rng.integers(12, 32))
        words = list(vocab[np.minimum(np.searchsorted(cdf, rng.random(n_words)), len(vocab) - 1)])
        n_function = int(n_words * rng.uniform(0.35, 0.55))
        picks = fwords[np.minimum(np.searchsorted(fcdf, rng.random(n_function)), len(fwords) - 1)]
        for k, fw in zip(rng.choice(n_words, size=n_function, replace=False), picks):
            words[k] = str(fw)
        num = int(rng.integers(2, 5000))
        day, month = int(rng.integers(1, 29)), MONTHS[int(rng.integers(12))]
        cut = int(rng.integers(3, n_words - 3))
        layout = int(rng.integers(4))  # where the number and the date stand, if at all
        base = (words[:cut], words[cut:], num, day, month, layout)
        copies = 1 if rng.random() < 0.6 else int(rng.integers(2, 6))
        chosen = rng.choice(n_outlets, size=copies, replace=False)
        for o in chosen:
            a, b, nm, d, m, lay = list(base[0]), list(base[1]), base[2], base[3], base[4], base[5]
            if copies > 1:
                for op in rng.choice(5, size=int(rng.integers(1, 4)), replace=False):
                    if op == 0 and len(a) > 2:  # swap two adjacent words
                        k = int(rng.integers(len(a) - 1))
                        a[k], a[k + 1] = a[k + 1], a[k]
                    elif op == 1:  # reorder the clauses
                        a, b = b, a
                    elif op == 2 and len(b) > 3:  # drop a word or two
                        for _ in range(int(rng.integers(1, 3))):
                            b.pop(int(rng.integers(len(b))))
                    elif op == 3:  # change the number
                        nm = int(nm * rng.choice([0.5, 0.8, 1.2, 2]))
                    elif op == 4:  # change the date
                        d = d + 1 if d < 28 else d - 1
            first, second = " ".join(a).capitalize(), " ".join(b)
            if lay == 0:
                text = f"{first} {nm:,} on {m} {d}, {second}."
            elif lay == 1:
                text = f"On {m} {d}, {first[0].lower() + first[1:]} {nm:,} {second}."
            elif lay == 2:
                text = f"{first}, {second} ({nm:,})."
            else:
                text = f"{first}; {second}."
            texts.append(text)
            outlets.append(f"outlet {o}")
            clusters.append(cluster if copies > 1 else -1)
        cluster += 1
    return texts[:n_claims], outlets[:n_claims], np.array(clusters[:n_claims])


def planted_pairs(outlets, clusters) -> set[tuple[int, int]]:
    by: dict[int, list[int]] = {}
    for k, c in enumerate(clusters):
        if c >= 0:
            by.setdefault(int(c), []).append(k)
    out = set()
    for ks in by.values():
        for p, i in enumerate(ks):
            for j in ks[p + 1:]:
                if outlets[i] != outlets[j]:
                    out.add((i, j))
    return out


def run(n: int, brute: bool, method: str = "semantic", model: str | None = None) -> dict:
    import pandas as pd

    import factbench as fb
    from factbench.matching.blocking import candidate_pairs
    from factbench.matching.match import DEFAULT_SCORER, DEFAULT_THRESHOLD
    from factbench.matching.scoring import SCORERS
    from factbench.ingest.text import normalise

    texts, outlets, clusters = make_corpus(n)
    claims = pd.DataFrame({"claim_id": [f"c{k}" for k in range(n)], "article_id": [f"a{k}" for k in range(n)],
                           "outlet": outlets, "text": texts})
    del texts  # the DataFrame holds the corpus, as in a user's session
    fb.match(claims.head(50), method=method, progress=False)  # warm: libraries imported, as in a running kernel
    rates = {}
    if method == "semantic":
        from factbench.ingest.encoder import DEFAULT_MODEL, STATIC_MODEL, encode

        for name, size in ((DEFAULT_MODEL, 300), (STATIC_MODEL, 2000)):  # the transformer is slow: a smaller sample
            sample = claims["text"].head(size).tolist()
            encode(sample[:20], model=name, progress=False)
            t0 = time.perf_counter()
            encode(sample, model=name, progress=False)
            rates[name] = len(sample) / (time.perf_counter() - t0)
    import threading

    import psutil

    proc = psutil.Process()
    before = proc.memory_info().rss / 2**20
    high = [before]
    done = threading.Event()

    workers_high = [0.0]

    def sample():  # the resident memory while match runs, every 50 ms (and its worker processes', if any)
        while not done.wait(0.05):
            high[0] = max(high[0], proc.memory_info().rss / 2**20)
            try:
                workers_high[0] = max(workers_high[0], sum(c.memory_info().rss for c in proc.children()) / 2**20)
            except psutil.Error:  # a worker ended between listing and reading
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, c0 = time.perf_counter(), os.times()
    pairs = fb.match(claims, method=method, model=model, progress=False)
    seconds = time.perf_counter() - t0
    c1 = os.times()  # CPU seconds of this process's threads and of its (finished) worker processes
    cpu = (c1.user - c0.user) + (c1.system - c0.system)
    cpu_workers = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
    done.set()
    sampler.join()
    peak = max(high[0], proc.memory_info().rss / 2**20)
    got = {(int(a[1:]), int(b[1:])) for a, b in zip(pairs["claim_id_l"], pairs["claim_id_r"])}
    got = {(min(p), max(p)) for p in got}
    planted = planted_pairs(outlets, clusters)
    texts = claims["text"].tolist()
    norm = [normalise(t) for t in texts]
    if method == "lexical":
        ci, cj = candidate_pairs(norm, groups=np.array(outlets), articles=np.arange(n))
    else:
        ci = [0] * int(pairs["method"].str.len().gt(0).sum())  # (semantic: pairs kept; candidates not re-run)
    res = {"method": method, "encoder": str(pairs["method"].iloc[-1]) if len(pairs) else "", "rates": rates,
           "claims": n, "seconds": seconds, "cpu_s": cpu, "cpu_workers_s": cpu_workers, "peak_mb": peak,
           "workers_peak_mb": workers_high[0], "before_mb": before, "candidates_per_claim": len(ci) / n,
           "pairs": len(got), "planted": len(planted),
           "recall": len(got & planted) / max(1, len(planted)),
           "precision": len(got & planted) / max(1, len(got))}
    if brute:
        from rapidfuzz import process

        t0 = time.perf_counter()
        outl = np.array(outlets)
        found = set()
        step = 1000
        for s in range(0, n, step):  # row blocks keep the dense matrices small
            q = norm[s:s + step]
            scores = process.cdist(q, norm, scorer=SCORERS[DEFAULT_SCORER], dtype=np.uint8, workers=-1,
                                   score_cutoff=int(np.ceil(DEFAULT_THRESHOLD)))
            m = scores >= DEFAULT_THRESHOLD
            ii, jj = np.nonzero(m)
            ii = ii + s
            keep = (jj > ii) & (outl[ii] != outl[jj])
            found |= set(zip(ii[keep].tolist(), jj[keep].tolist()))
        bseconds = time.perf_counter() - t0
        content = [set(normalise(t, stop_words=True).split()) for t in texts]
        related = {p for p in found if content[p[0]] & content[p[1]]}
        res["brute_pairs_sharing_content"] = len(related)
        res["recall_vs_brute_sharing_content"] = len(got & related) / max(1, len(related))
        res.update({"brute_seconds": bseconds, "speedup": bseconds / seconds, "brute_pairs": len(found),
                    "recall_vs_brute": len(got & found) / max(1, len(found)),
                    "brute_recall_planted": len(found & planted) / max(1, len(planted))})
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10000, 100000, 1000000])
    ap.add_argument("--no-brute", action="store_true", help="skip brute force at 10k")
    ap.add_argument("--method", default="semantic", choices=["semantic", "lexical"])
    ap.add_argument("--model", help="force the semantic matcher with this encoder at any size (e.g. minilm-l6-static)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--brute", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(run(args.one, args.brute, args.method, args.model)))
        return
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, __file__, "--one", str(n), "--method", args.method] + (
            ["--model", args.model] if args.model else []) + (
            ["--brute"] if n == 10000 and not args.no_brute and args.method == "lexical" else [])
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
        if out.returncode:
            print(out.stderr[-2000:], file=sys.stderr)
            raise SystemExit(f"size {n} failed")
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        if r["rates"]:
            print("encoding throughput: " + ", ".join(f"{k} {v:,.0f} sentences/s" for k, v in r["rates"].items()))
        print(f"{r['claims']:>8} claims ({r['method']}, {r['encoder']}): {r['seconds']:7.1f} s "
              f"(CPU {r.get('cpu_s', 0):.1f} s + {r.get('cpu_workers_s', 0):.1f} s in worker processes), "
              f"peak {r['peak_mb']:6.0f} MB (+{r.get('workers_peak_mb', 0):.0f} MB RSS of workers, shared pages counted) "
              f"({r['before_mb']:.0f} MB before match: the corpus and its DataFrame), "
              f"{r['candidates_per_claim']:5.1f} {'candidates' if r['method'] == 'lexical' else 'pairs'}/claim, planted recall {r['recall']:.3f}, "
              f"precision {r['precision']:.3f} ({r['pairs']} pairs, {r['planted']} planted)", flush=True)
        if "brute_seconds" in r:
            print(f"{'':>8} brute force cdist: {r['brute_seconds']:.1f} s ({r['brute_pairs']} pairs, planted recall "
                  f"{r['brute_recall_planted']:.3f}); fast path {r['speedup']:.0f}x faster, "
                  f"recall vs brute force {r['recall_vs_brute']:.3f}", flush=True)
            print(f"{'':>8} of brute force's pairs, {r['brute_pairs_sharing_content']} share a content word; fast-path "
                  f"recall on those {r['recall_vs_brute_sharing_content']:.3f} (the rest share only function words)",
                  flush=True)


if __name__ == "__main__":
    main()
