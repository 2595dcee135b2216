"""Where the default matcher loses basil_dev's labelled pairs, and what contains-aware features would buy.

    python benchmarks/basil_ceiling.py [--devdata ../shared/devdata] [--skip-study] [--skip-rerank]

Metric and mapping are basil_dev/score.py's (claims mapped to labelled sentences by character overlap,
distinct cross-outlet sentence pairs), on the 20 events each loaded as its own corpus.

1. **Ceiling**: of the labelled pairs, how many have both sentences among factbench's claims (the claims
   filter), how many of those reach the blocking candidates (the matcher's own ``neighbour_pairs`` at
   its floor), how many the shipped score passes at its threshold; "same" and "contains" apart.
2. **Score distribution** of the candidate pairs, labelled vs not (quantiles of the calibrated score and
   of the sentence cosine), and how many of each pass a range of thresholds.
3. **Feature study** (the transformer, ``minilm-l6-int8``): logistic models fitted on the blocked pairs of
   16 events and scored on the other 4 (5 folds by event, leave-events-out), over the shipped features
   and over contains-aware ones computed here: ``cover`` (share of the shorter sentence's content words
   the other has), ``shared`` (shared content words, up to 6), ``names`` (shared capitalised names, up to
   3), ``phrase`` (a shared run of three words); fitted on BASIL alone, with MSRP train pairs added
   (whole-sentence paraphrases, so that one score serves both), or as extra evidence on top of the shipped
   score (an offset model, non-negative weights). For each: out-of-fold pair precision / recall by
   threshold, the best F1 at precision >= 0.75, and the full fit's MSRP validation F1 (at that threshold)
   and STS-B dev Spearman, the two figures the score must keep.

Figures on 2026-11-24 (main's claims, shipped score): of 701 labelled pairs ("same" 68, "contains" 633),
578 have both sentences among the claims (same 47, contains 531), 442 reach the candidates (44 / 398),
78 pass the threshold (26 / 52). Candidate claim pairs scoring 20 or more: 198 labelled, 200 not; 55 or
more: 78 and 24. Best out-of-fold F1 at pair precision >= 0.75: shipped features refitted here 0.150
(R 0.083); with the four new features 0.170; shipped features + MSRP in the fit 0.191 (MSRP 0.840, STS-B
0.836, but negative weights on the clause cosine and the shared fact); new features + MSRP 0.197 (STS-B
0.832); shipped score + new evidence 0.172. Shipped score: MSRP 0.839, STS-B 0.851 (eval_matching.py).

4. **Reranking** (``--skip-rerank`` to leave out): the pair scorer (``minilm-l6-cross-int8``, a cross-encoder)
   on the blocked candidates, alone, as the geometric mean ``against=`` uses, and in a logistic model
   with the shipped features (5 folds by event). Figures on 2026-11-24 (4,275 candidates, 265 s on a
   shared machine): best F1 at P >= 0.75: shipped 0.195 (55: P 0.772 R 0.111); pair scorer alone 0.133
   (75: P 0.773 R 0.073; it rates many same-story pairs high: labelled median 53.5, unlabelled 15.8, but
   the unlabelled 90th percentile is 57.6); geometric mean 0.190 (60: P 0.784 R 0.108; at 55 P 0.724);
   logistic with the pair logit, out-of-fold 0.230 (55: P 0.754 R 0.136; full fit 0.226). Not shipped in
   ``fb.match(corpus)``: the gain is small and its precision sits at the 0.75 line.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_matching import DEV, basil_events, read_sts  # noqa: E402  (same loader and mapping as score.py)
from eval_paraphrase import read_msrp, stats  # noqa: E402

from factbench.ingest.encoder import DEFAULT_MODEL  # noqa: E402
from factbench.ingest.text import normalise  # noqa: E402
from factbench.matching import semantic  # noqa: E402
from factbench.matching.scoring import content_words  # noqa: E402

NEW = ("cover", "shared", "names", "phrase")
_NOT_NAMES = frozenset("i a an the he she it we they you his her its our their this that these those there mr mrs "
                       "ms dr but and or if in on at as for to of by with from so when while after before monday "
                       "tuesday wednesday thursday friday saturday sunday january february march april may june "
                       "july august september october november december".split())
_CAPITAL = re.compile(r"\b[A-Z][\w’'-]*[A-Za-z0-9]")
_OPENER = re.compile(r"(?:(?<!\bMr)(?<!\bMrs)(?<!\bMs)(?<!\bDr)(?<!\bSen)(?<!\bRep)(?<!\bGov)(?<!\b[A-Z])"
                     r"[.!?][\"”’']?\s+|(?:^|[\s(\[])[\"']\s*|[“‘(\[]\s*|^\s*)$")


def names(text: str) -> frozenset:
    """Capitalised words that are not a sentence's first word, a weekday, month, pronoun or title."""
    out = {m.group().lower().strip("’'-") for m in _CAPITAL.finditer(text)
           if not _OPENER.search(text[max(0, m.start() - 8):m.start()])}
    return frozenset(out - _NOT_NAMES)


def word_facts(text: str):
    norm = normalise(text).split()
    return frozenset(content_words(text).split()), names(text), frozenset(zip(norm, norm[1:], norm[2:]))


def new_features(wa, wb) -> np.ndarray:
    """(len, 4) cover, shared, names, phrase of aligned word facts."""
    x = np.zeros((len(wa), 4))
    for k, ((ca, na, ta), (cb, nb, tb)) in enumerate(zip(wa, wb)):
        if ca and cb:
            sh = len(ca & cb)
            x[k, 0] = sh / min(len(ca), len(cb))
            x[k, 1] = min(sh, 6) / 6
        x[k, 2] = min(len(na & nb), 3) / 3
        x[k, 3] = float(not ta.isdisjoint(tb))
    return x


def pair_table(events, model: str):
    """Per event: every cross-outlet claim pair's shipped features (as the matcher computes them, facts
    with their content test), the new ones, its sentence pair, label, and whether blocking finds it."""
    out = []
    for e in events:
        cl = e["corpus"].claims.reset_index(drop=True)
        texts = cl["text"].astype(str).tolist()
        ids = cl["claim_id"].tolist()
        emb = semantic.embed(texts, model=model, progress=False)
        oc, _ = pd.factorize(cl["outlet"].astype(str))
        ac, _ = pd.factorize(cl["article_id"].astype(str))
        bi, bj = semantic.neighbour_pairs(emb.vecs, floor=semantic.FLOORS[model], groups=oc, articles=ac)
        i, j = np.triu_indices(len(texts), 1)
        keep = oc[i] != oc[j]
        i, j = i[keep], j[keep]
        norm = semantic.LazyNorm(texts)
        facts = semantic.LazyFacts(texts)
        x = semantic.features(emb, emb, i, j, norm, norm, facts, facts, texts, texts)
        wf = [word_facts(t) for t in texts]
        xn = new_features([wf[a] for a in i], [wf[b] for b in j])
        sp = [frozenset((e["c2g"].get(ids[a]), e["c2g"].get(ids[b]))) for a, b in zip(i, j)]
        blocked = set(zip(bi.tolist(), bj.tolist()))
        out.append({"x": np.hstack([x, xn]), "sp": sp, "y": np.array([p in e["gold"] for p in sp]),
                    "i": i, "j": j, "texts": texts,
                    "blocked": np.array([(a, b) in blocked for a, b in zip(i.tolist(), j.tolist())]),
                    "gold": e["gold"], "strength": e["strength"], "claimed": {e["c2g"].get(c) for c in ids}})
    return out


def sentence_pairs(t, mask) -> set:
    return {p for p, k in zip(t["sp"], mask) if k and None not in p and len(p) == 2}


def pr(tables, scores, threshold: float):
    tp = pred = gold = 0
    for t, s in zip(tables, scores):
        pp = sentence_pairs(t, t["blocked"] & (s >= threshold))
        pred += len(pp)
        tp += len(pp & t["gold"])
        gold += len(t["gold"])
    p, r = (tp / pred if pred else 0.0), tp / gold
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ceiling(tables, model: str) -> None:
    print(f"\n== 1. Where the labelled pairs go ({model}, shipped score, threshold {semantic.THRESHOLD:g})")
    c = collections.Counter()
    for t in tables:
        s = semantic.calibrated(t["x"][:, :5], model)
        cand = sentence_pairs(t, t["blocked"])
        passed = sentence_pairs(t, t["blocked"] & (s >= semantic.THRESHOLD))
        for p in t["gold"]:
            kind = t["strength"][p]
            c[kind, "gold"] += 1
            c[kind, "claims"] += p <= t["claimed"]
            c[kind, "blocked"] += p in cand
            c[kind, "passed"] += p in passed
    for kind in ("same", "contains", "all"):
        g = lambda k: c[kind, k] if kind != "all" else c["same", k] + c["contains", k]  # noqa: E731
        print(f"   {kind:<9} labelled {g('gold'):4d} · both sentences claims {g('claims'):4d} "
              f"({g('claims') / g('gold'):.2f}) · in the blocking candidates {g('blocked'):4d} "
              f"({g('blocked') / g('gold'):.2f}) · score >= threshold {g('passed'):4d} ({g('passed') / g('gold'):.2f})")


def distribution(tables, model: str) -> None:
    print(f"\n== 2. Candidate pairs (blocked claim pairs), labelled vs not ({model})")
    s = [semantic.calibrated(t["x"][:, :5], model) for t in tables]
    lab = np.concatenate([sc[t["blocked"] & t["y"]] for t, sc in zip(tables, s)])
    unl = np.concatenate([sc[t["blocked"] & ~t["y"]] for t, sc in zip(tables, s)])
    cl = np.concatenate([t["x"][t["blocked"] & t["y"], 0] for t in tables])
    cu = np.concatenate([t["x"][t["blocked"] & ~t["y"], 0] for t in tables])
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    print(f"   labelled {len(lab)} claim pairs, unlabelled {len(unl)}; quantiles {q}")
    print(f"   score  labelled {np.round(np.quantile(lab, q), 1).tolist()}  unlabelled {np.round(np.quantile(unl, q), 1).tolist()}")
    print(f"   cosine labelled {np.round(np.quantile(cl, q), 2).tolist()}  unlabelled {np.round(np.quantile(cu, q), 2).tolist()}")
    print("   claim pairs at or above a score (labelled / unlabelled): "
          + "  ".join(f"{t}: {(lab >= t).sum()}/{(unl >= t).sum()}" for t in (5, 10, 20, 30, 40, 55, 70)))


def _fit(x, y, sw=None, offset=None, nonneg=False, c=1.0):
    """L2 logistic regression on standardised features (weights mapped back), optionally with an offset
    (the shipped score's logit) and non-negative weights; scipy's L-BFGS-B."""
    from scipy.optimize import minimize

    x = x.astype(np.float64)
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    d = z.shape[1]
    sw = np.ones(len(y)) if sw is None else sw
    off = np.zeros(len(y)) if offset is None else offset
    yy = y.astype(np.float64)

    def f(p):
        t = off + z @ p[:d] + p[d]
        g = sw * (1 / (1 + np.exp(-t)) - yy)
        return (sw * (np.logaddexp(0, t) - yy * t)).sum() + 0.5 * p[:d] @ p[:d] / c, np.append(z.T @ g + p[:d] / c, g.sum())

    bounds = [(0, None) if nonneg else (None, None)] * d + [(None, None)]
    p = minimize(f, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds).x
    w = p[:d] / sd
    return w, p[d] - (w * mu).sum()


def study(tables, dev: Path, model: str) -> None:
    print(f"\n== 3. Feature study ({model}): leave-events-out (5 folds by event), fitted on blocked pairs")
    floor = semantic.FLOORS[model]

    def aligned(a, b):
        ea, eb = semantic.embed(a, model=model, progress=False), semantic.embed(b, model=model, progress=False)
        k = np.arange(len(a))
        na, nb, fa, fb_ = semantic.LazyNorm(a), semantic.LazyNorm(b), semantic.LazyFacts(a), semantic.LazyFacts(b)
        x = semantic.features(ea, eb, k, k, na, nb, fa, fb_, a, b)
        return np.hstack([x, new_features([word_facts(t) for t in a], [word_facts(t) for t in b])])

    a, b, y = read_msrp(dev / "msrp_train" / "msr-para-train.tsv")
    msrp_tr = (aligned(a[1000:], b[1000:]), y[1000:].astype(bool))  # the first 1,000 tune eval_matching's threshold
    a, b, y = read_msrp(dev / "msrp_train" / "msr-para-val.tsv")
    msrp_va = (aligned(a, b), y)
    a, b, y = read_sts(dev / "stsb" / "sts-dev.csv")
    sts = (aligned(a, b), y)
    shipped_w, shipped_b = semantic.WEIGHTS[model]
    base = list(range(5))
    allf = list(range(9))
    configs = [("shipped features, BASIL", base, 0.0, False), ("+ cover shared names phrase, BASIL", allf, 0.0, False),
               ("shipped features, BASIL + MSRP", base, 1.0, False), ("+ new features, BASIL + MSRP", allf, 1.0, False),
               ("shipped score + new evidence (offset, w >= 0)", [5, 6, 7, 8], 0.0, True)]
    from scipy.stats import spearmanr

    def model_scores(w, b, x, cols, offset):
        z = x[:, cols].astype(np.float64) @ w + b
        if offset:
            z = z + x[:, :5].astype(np.float64) @ shipped_w + shipped_b
        return 100 / (1 + np.exp(-z))

    def fit_on(ts, cols, msrp, offset):
        x = np.vstack([t["x"][t["x"][:, 0] >= floor] for t in ts])
        y = np.concatenate([t["y"][t["x"][:, 0] >= floor] for t in ts])
        sw = np.ones(len(y))
        if msrp:
            x, y = np.vstack([x, msrp_tr[0]]), np.concatenate([y, msrp_tr[1]])
            sw = np.append(sw, np.full(len(msrp_tr[1]), msrp))
        off = x[:, :5].astype(np.float64) @ shipped_w + shipped_b if offset else None
        return _fit(x[:, cols], y, sw, off, nonneg=offset)

    folds = np.arange(len(tables)) % 5
    base_s = [semantic.calibrated(t["x"][:, :5], model) for t in tables]
    print("   shipped weights (fitted on these events: in-sample) "
          + "  ".join(f"{t}: {pr(tables, base_s, t)[0]:.2f}/{pr(tables, base_s, t)[1]:.3f}" for t in (45, 55, 65, 75)))
    for name, cols, msrp, offset in configs:
        oof = [None] * len(tables)
        for f in range(5):
            w, b = fit_on([tables[k] for k in range(len(tables)) if folds[k] != f], cols, msrp, offset)
            for k in np.nonzero(folds == f)[0]:
                oof[k] = model_scores(w, b, tables[k]["x"], cols, offset)
        curve = {t: pr(tables, oof, t) for t in range(30, 91, 5)}
        ok = [t for t, v in curve.items() if v[0] >= 0.75]
        best = max(ok, key=lambda t: curve[t][2]) if ok else None
        w, b = fit_on(tables, cols, msrp, offset)
        t = best or 55
        ms = model_scores(w, b, msrp_va[0], cols, offset)
        ss = model_scores(w, b, sts[0], cols, offset)
        head = (f"best at P >= 0.75: {t} P {curve[t][0]:.3f} R {curve[t][1]:.3f} F1 {curve[t][2]:.3f}" if best
                else "precision never reaches 0.75")
        print(f"   {name:<46} {head} · MSRP val F1 {stats(msrp_va[1], (ms >= t).astype(int))[3]:.3f} · "
              f"STS-B {spearmanr(ss, sts[1])[0]:.3f}")
        print("      out-of-fold P/R: " + "  ".join(f"{k}: {v[0]:.2f}/{v[1]:.3f}" for k, v in curve.items() if k <= 80))
        print(f"      full-fit weights {np.round(w, 2).tolist()} intercept {b:.2f}")


def rerank_study(tables, model: str) -> None:
    """4. The pair scorer (cross-encoder) on the blocked candidates: alone, as the matcher's band rule, and
    in a logistic model with the shipped features (5 folds by event; the full fit apart)."""
    from factbench.matching import rerank

    print(f"\n== 4. Reranking the blocked candidates with the pair scorer ({rerank.PAIR_MODEL})")
    t0 = time.perf_counter()
    n = 0
    for t in tables:
        z = np.zeros(len(t["i"]))
        b = np.nonzero(t["blocked"])[0]
        z[b] = rerank.rerank_pairs(t["i"][b], t["j"][b], t["texts"], t["texts"], progress=False)
        t["cross"] = z
        n += len(b)
    print(f"   {n} candidate pairs scored in {time.perf_counter() - t0:.0f} s")
    base = [semantic.calibrated(t["x"][:, :5], model) for t in tables]

    def show(name, scores):
        curve = {th: pr(tables, scores, th) for th in range(5, 96, 5)}
        ok = [th for th, v in curve.items() if v[0] >= 0.75]
        best = max(ok, key=lambda th: curve[th][2]) if ok else None
        head = (f"best at P >= 0.75: {best} P {curve[best][0]:.3f} R {curve[best][1]:.3f} F1 {curve[best][2]:.3f}"
                if best else "precision never reaches 0.75")
        print(f"   {name:<44} {head}")
        print("      P/R: " + "  ".join(f"{k}: {v[0]:.2f}/{v[1]:.3f}" for k, v in curve.items() if k % 10 == 5))

    show("shipped score (no reranking)", base)
    show("pair scorer alone", [t["cross"] for t in tables])
    show("geometric mean, as against= (rerank.combine)", [rerank.combine(b, t["cross"]) for b, t in zip(base, tables)])
    lab = np.concatenate([t["cross"][t["blocked"] & t["y"]] for t in tables])
    unl = np.concatenate([t["cross"][t["blocked"] & ~t["y"]] for t in tables])
    q = [0.1, 0.25, 0.5, 0.75, 0.9]
    print(f"   pair scorer, quantiles {q}: labelled {np.round(np.quantile(lab, q), 1).tolist()} "
          f"unlabelled {np.round(np.quantile(unl, q), 1).tolist()}")
    logit = lambda p: np.log(np.clip(p, 1e-4, 100 - 1e-4) / (100 - np.clip(p, 1e-4, 100 - 1e-4)))  # noqa: E731
    feats = [np.hstack([t["x"][:, :5], logit(t["cross"])[:, None]]) for t in tables]

    def fit_on(ks):
        x = np.vstack([feats[k][tables[k]["blocked"]] for k in ks])
        y = np.concatenate([tables[k]["y"][tables[k]["blocked"]] for k in ks])
        return _fit(x, y)

    folds = np.arange(len(tables)) % 5
    oof = [None] * len(tables)
    for f in range(5):
        w, b = fit_on([k for k in range(len(tables)) if folds[k] != f])
        for k in np.nonzero(folds == f)[0]:
            oof[k] = 100 / (1 + np.exp(-(feats[k] @ w + b)))
    show("logistic(shipped features + pair logit), CV", oof)
    w, b = fit_on(range(len(tables)))
    show("  the same, full fit (in-sample)", [100 / (1 + np.exp(-(f @ w + b))) for f in feats])
    print(f"      full-fit weights {np.round(w, 2).tolist()} intercept {b:.2f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devdata", default=str(DEV))
    ap.add_argument("--skip-study", action="store_true")
    ap.add_argument("--skip-rerank", action="store_true")
    args = ap.parse_args()
    dev = Path(args.devdata)
    if not (dev / "basil_dev").is_dir():
        raise SystemExit(f"no development data at {dev}")
    print("(machine shared with other jobs: timings are indicative)", flush=True)
    t0 = time.perf_counter()
    events = basil_events(dev)
    import json

    for e in events:  # "same" or "contains" for each labelled pair (the stronger where groups overlap)
        g = json.load(open(dev / "basil_dev" / "gold" / (e["name"][:-4] + ".json")))
        st = {}
        for grp in g["same_statement_groups"]:
            m = sorted(set(grp["members"]))
            for x in range(len(m)):
                for y in range(x + 1, len(m)):
                    p = frozenset((m[x], m[y]))
                    if p in e["gold"]:
                        st[p] = "same" if grp.get("strength") == "same" or st.get(p) == "same" else "contains"
        e["strength"] = st
    tables = pair_table(events, DEFAULT_MODEL)
    ceiling(tables, DEFAULT_MODEL)
    distribution(tables, DEFAULT_MODEL)
    if not args.skip_study:
        study(tables, dev, DEFAULT_MODEL)
    if not args.skip_rerank:
        rerank_study(tables, DEFAULT_MODEL)
    print(f"   ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
