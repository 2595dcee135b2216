"""Every dev figure of the matcher, lexical (the earlier default) next to semantic (the default now).

    python benchmarks/eval_matching.py [--devdata ../shared/devdata] [--only basil stsb retrieval msrp] [--refit]

- **basil** (basil_dev, 20 events × 3 outlets, labelled by hand): statement-pair precision / recall / F1
  from ``fb.match`` pairs and from ``fb.group`` groups, with the metric of basil_dev/score.py. The semantic
  score's weights were fitted on these events, so the shipped weights' figure is in-sample; the honest
  figure is leave-events-out (5 folds by event: weights refitted on 16 events, scored on the other 4).
  Also: how many labelled pairs have both sentences among factbench's claims (the ceiling of any matcher
  over claims). ``--refit`` prints the weights fitted on all 20 events (what semantic.WEIGHTS holds).
  (This fit computes every claim pair's features without the texts, so its fact column skips the
  content-word test that the matcher applies; ``benchmarks/basil_ceiling.py`` fits on the features as
  the matcher computes them, on the blocked pairs only, and compares contains-aware features.)
- **stsb** (STS Benchmark dev, 1,500 pairs): Spearman of token_sort_ratio, of the encoders' cosine, and
  of ``fb.similarity`` (untuned on STS-B).
- **retrieval** (CLEF 2020 CheckThat! 2a dev, 200 tweets against 10,375 fact-checked claims): MAP@5 and P@1
  of token_sort_ratio and of ``fb.match(tweets, against=claims)`` (ranked by its score), and of plain cosine.
- **msrp** (MSR paraphrase train / validation): validation accuracy and F1 at the default threshold, and
  at the threshold that maximises F1 on the first 1,000 train pairs (tuned there, reported on validation).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

import factbench as fb
from factbench.ingest.encoder import DEFAULT_MODEL, STATIC_MODEL
from factbench.ingest.text import normalise
from factbench.matching import semantic

DEV = Path(__file__).resolve().parents[2] / "shared" / "devdata"


def _memo_encode():
    """The same texts are embedded by several runs here: remember their vectors (this script only)."""
    seen: dict[tuple[str, str], np.ndarray] = {}
    plain = semantic.encode

    def encode_cached(texts, *, model, progress=None, **kw):
        todo = list(dict.fromkeys(t for t in texts if (model, t) not in seen))
        if todo:
            for t, v in zip(todo, plain(todo, model=model, progress=progress, **kw)):
                seen[(model, t)] = v
        if not texts:
            return plain([], model=model, progress=False)
        return np.stack([seen[(model, t)] for t in texts]).astype(np.float32)

    semantic.encode = encode_cached


# ------------------------------------------------------------------ BASIL
def retrieval_metrics(ranked: dict[str, list[str]], rel: dict[str, set]) -> tuple[float, float]:
    """MAP@5 (average precision over the top 5, divided by min(relevant, 5)) and P@1."""
    aps, p1 = [], []
    for tid, rs in rel.items():
        got = ranked.get(tid, [])[:5]
        hits, s = 0, 0.0
        for k, c in enumerate(got, 1):
            if c in rs:
                hits += 1
                s += hits / k
        aps.append(s / min(len(rs), 5))
        p1.append(1.0 if got[:1] and got[0] in rs else 0.0)
    return float(np.mean(aps)), float(np.mean(p1))


def _basil_module(dev: Path):
    from basil_score import score_module  # basil_dev/score.py: read_event, to_gold_ids, gold_pairs

    return score_module(dev)


def basil_events(dev: Path):
    bs = _basil_module(dev)
    ev, gd = dev / "basil_dev" / "events", dev / "basil_dev" / "gold"
    out = []
    for name in sorted(os.listdir(ev)):
        if not name.endswith(".txt") or not (gd / (name[:-4] + ".json")).exists():
            continue
        g = json.load(open(gd / (name[:-4] + ".json")))
        df, spans = bs.read_event(ev / name)
        corpus = fb.load(df, progress=False)
        out.append({"name": name, "corpus": corpus, "c2g": bs.to_gold_ids(corpus, spans, corpus.claims),
                    "gold": bs.gold_pairs(g)})
    return out


def basil_pairs_metric(events, match_fn) -> dict:
    """score.py's pair metric over events: distinct labelled-sentence pairs from fb.match and fb.group."""
    t = dict(pred=0, tp=0, gold=0, gpred=0, gtp=0, reach=0)
    for e in events:
        c2g, gps, corpus = e["c2g"], e["gold"], e["corpus"]
        pairs = match_fn(e)
        pp = {frozenset((c2g[a], c2g[b])) for a, b in zip(pairs.claim_id_l, pairs.claim_id_r)
              if c2g.get(a) and c2g.get(b) and c2g[a] != c2g[b]}
        t["pred"] += len(pp)
        t["tp"] += len(pp & gps)
        t["gold"] += len(gps)
        claimed = {c2g.get(c) for c in corpus.claims.claim_id}
        t["reach"] += sum(1 for p in gps if p <= claimed)
        grp = fb.group(pairs, corpus)
        gpp = set()
        for _, members in grp.groupby("group_id")["claim_id"]:
            ids = sorted({c2g.get(c) for c in members if c2g.get(c)})
            gpp |= {frozenset((a, b)) for a, b in itertools.combinations(ids, 2) if a.split(":")[0] != b.split(":")[0]}
        t["gpred"] += len(gpp)
        t["gtp"] += len(gpp & gps)

    def prf(tp, pred):
        p = tp / pred if pred else 0.0
        r = tp / t["gold"] if t["gold"] else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    p, r, f = prf(t["tp"], t["pred"])
    gp, gr, gf = prf(t["gtp"], t["gpred"])
    return {"P": p, "R": r, "F1": f, "pairs": t["pred"], "group_P": gp, "group_R": gr, "group_F1": gf,
            "gold": t["gold"], "reachable": t["reach"]}


def basil_features(events, model: str):
    """Features and labels of every cross-outlet claim pair of each event (events are small)."""
    rows = []
    for e in events:
        cl = e["corpus"].claims.reset_index(drop=True)
        texts = cl["text"].astype(str).tolist()
        emb = semantic.embed(texts, model=model, progress=False)
        i, j = np.triu_indices(len(texts), 1)
        o = cl["outlet"].to_numpy()
        keep = o[i] != o[j]
        i, j = i[keep], j[keep]
        x = semantic.features(emb, emb, i, j, semantic.LazyNorm(texts), semantic.LazyNorm(texts),
                              semantic.LazyFacts(texts), semantic.LazyFacts(texts))
        ids = cl["claim_id"].tolist()
        y = np.array([frozenset((e["c2g"].get(ids[a]), e["c2g"].get(ids[b]))) in e["gold"] for a, b in zip(i, j)])
        rows.append((x, y))
    return rows


def fit(rows):
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([r[0] for r in rows])
    y = np.concatenate([r[1] for r in rows])
    lr = LogisticRegression(max_iter=2000).fit(x, y)
    return np.round(lr.coef_[0], 2), round(float(lr.intercept_[0]), 2)


def run_basil(dev: Path, refit: bool) -> None:
    print("\n== BASIL dev: 20 events, statement pairs across outlets (metric of basil_dev/score.py)")
    events = basil_events(dev)
    res = basil_pairs_metric(events, lambda e: fb.match(e["corpus"], method="lexical", progress=False))
    print(f"   (of {res['gold']} labelled pairs, {res['reachable']} have both sentences among factbench's claims: "
          f"the recall ceiling of any matcher over claims is {res['reachable'] / res['gold']:.2f})")
    show = lambda label, r: print(f"{label:<46} pairs P {r['P']:.3f} R {r['R']:.3f} F1 {r['F1']:.3f} ({r['pairs']} pairs)"
                                  f" · groups P {r['group_P']:.3f} R {r['group_R']:.3f} F1 {r['group_F1']:.3f}")
    show("lexical (earlier default)", res)
    for model in (DEFAULT_MODEL, STATIC_MODEL):
        r = basil_pairs_metric(events, lambda e: fb.match(e["corpus"], model=model, progress=False))
        show(f"semantic {model}, shipped weights (in-sample)", r)
    # leave-events-out: refit the weights on 4/5 of the events, match the other 1/5 at the default threshold
    for model in (DEFAULT_MODEL, STATIC_MODEL):
        feats = basil_features(events, model)
        if refit:
            print(f"   weights fitted on all events, {model}: {fit(feats)}")
        saved = semantic.WEIGHTS[model]
        folds = np.arange(len(events)) % 5
        pairs_of = {}
        try:
            for f in range(5):
                semantic.WEIGHTS[model] = fit([feats[k] for k in range(len(events)) if folds[k] != f])
                for k in np.nonzero(folds == f)[0]:
                    pairs_of[k] = fb.match(events[k]["corpus"], model=model, progress=False)
        finally:
            semantic.WEIGHTS[model] = saved
        order = {id(e): k for k, e in enumerate(events)}
        r = basil_pairs_metric(events, lambda e: pairs_of[order[id(e)]])
        show(f"semantic {model}, leave-events-out (5 folds)", r)
        cos_only = basil_pairs_metric(events, lambda e: _cosine_pairs(e["corpus"], model, 0.7))
        show(f"  cosine >= 0.7 alone, {model} (untuned)", cos_only)


def _cosine_pairs(corpus, model, t):
    cl = corpus.claims.reset_index(drop=True)
    v = semantic.encode(cl["text"].astype(str).tolist(), model=model, progress=False)
    s = v @ v.T
    i, j = np.nonzero(np.triu(s >= t, 1))
    o = cl["outlet"].to_numpy()
    k = o[i] != o[j]
    ids = cl["claim_id"].to_numpy()
    return pd.DataFrame({"claim_id_l": ids[i[k]], "claim_id_r": ids[j[k]], "score": s[i[k], j[k]] * 100})


# ------------------------------------------------------------------ STS-B
def read_sts(path: Path):
    a, b, y = [], [], []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 7:
                y.append(float(p[4]))
                a.append(p[5])
                b.append(p[6])
    return a, b, np.array(y)


def run_stsb(dev: Path) -> None:
    from rapidfuzz import fuzz, process
    from scipy.stats import spearmanr

    print("\n== STS-B dev (Spearman with the human 0-5 scores)")
    a, b, y = read_sts(dev / "stsb" / "sts-dev.csv")
    lex = process.cpdist([normalise(t) for t in a], [normalise(t) for t in b], scorer=fuzz.token_sort_ratio, workers=-1)
    print(f"{'lexical token_sort_ratio (earlier default)':<46} {spearmanr(lex, y)[0]:.3f}  ({len(y)} pairs)")
    for model in (DEFAULT_MODEL, STATIC_MODEL):
        va, vb = semantic.encode(a, model=model, progress=False), semantic.encode(b, model=model, progress=False)
        print(f"{'cosine, ' + model:<46} {spearmanr((va * vb).sum(1), y)[0]:.3f}")
        print(f"{'fb.similarity, ' + model:<46} {spearmanr(fb.similarity(a, b, model=model), y)[0]:.3f}")
    from factbench.matching import rerank

    cross = rerank.cross_scores(a, b, progress=False)
    print(f"{'pair scorer alone (rerank.cross_scores)':<46} {spearmanr(cross, y)[0]:.3f}")
    print(f"{'geometric mean with fb.similarity (against=)':<46} {spearmanr(rerank.combine(fb.similarity(a, b), cross), y)[0]:.3f}")


# ------------------------------------------------------------------ claim retrieval
def run_retrieval(dev: Path) -> None:
    from rapidfuzz import fuzz, process

    print("\n== Claim retrieval, CLEF 2020 CheckThat! 2a dev: tweets against the verified claims")
    d = dev / "claim_retrieval"
    vc = pd.read_csv(d / "verified_claims.docs.tsv", sep="\t", quoting=csv.QUOTE_NONE, dtype=str, keep_default_na=False)
    q = pd.read_csv(d / "dev" / "tweets.queries.tsv", sep="\t", dtype=str, keep_default_na=False)
    q.columns = ["tweet_id", "text"]
    rel: dict[str, set] = {}
    for line in open(d / "dev" / "tweet-vclaim-pairs.qrels"):
        p = line.split()
        if len(p) >= 4 and p[3] == "1":
            rel.setdefault(p[0], set()).add(p[2])
    q = q[q["tweet_id"].isin(rel)].reset_index(drop=True)
    ref = pd.DataFrame({"claim_id": vc.iloc[:, 0].astype(str), "text": vc["vclaim"]})

    def metrics(ranked: dict[str, list[str]]):
        return retrieval_metrics(ranked, rel)

    t0 = time.perf_counter()
    nq = [normalise(t) for t in q["text"]]
    nr = [normalise(t) for t in ref["text"]]
    s = process.cdist(nq, nr, scorer=fuzz.token_sort_ratio, workers=-1)
    top = np.argsort(-s, axis=1)[:, :5]
    lex = {tid: ref["claim_id"].to_numpy()[top[k]].tolist() for k, tid in enumerate(q["tweet_id"])}
    m, p = metrics(lex)
    print(f"{'lexical token_sort_ratio (earlier default)':<46} MAP@5 {m:.3f} P@1 {p:.3f}  ({len(q)} tweets, "
          f"{len(ref)} claims, {time.perf_counter() - t0:.0f} s)")
    for model in (DEFAULT_MODEL, STATIC_MODEL):
        t0 = time.perf_counter()
        claims = pd.DataFrame({"claim_id": q["tweet_id"], "text": q["text"]})
        found = fb.match(claims, against=ref, top=5, threshold=0, model=model, progress=False)
        ranked = {k: g["claim_id_r"].astype(str).tolist() for k, g in found.groupby("claim_id_l", sort=False)}
        m, p = metrics(ranked)
        print(f"{'fb.match(against=) ' + model:<46} MAP@5 {m:.3f} P@1 {p:.3f}  ({time.perf_counter() - t0:.0f} s)")
        vq = semantic.encode([semantic.clean(t) for t in q["text"]], model=model, progress=False)
        vr = semantic.encode([semantic.clean(t) for t in ref["text"]], model=model, progress=False)
        top = np.argsort(-(vq @ vr.T), axis=1)[:, :5]
        m, p = metrics({tid: ref["claim_id"].to_numpy()[top[k]].tolist() for k, tid in enumerate(q["tweet_id"])})
        print(f"{'  cosine alone, ' + model:<46} MAP@5 {m:.3f} P@1 {p:.3f}")


# ------------------------------------------------------------------ MSRP
def run_msrp(dev: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from eval_paraphrase import read_msrp, stats

    print("\n== MSRP: validation accuracy / F1 (threshold tuned on train where said)")
    d = dev / "msrp_train"
    a_tr, b_tr, y_tr = read_msrp(d / "msr-para-train.tsv")
    a_tr, b_tr, y_tr = a_tr[:1000], b_tr[:1000], y_tr[:1000]  # the first 1,000 train pairs tune the threshold
    a_va, b_va, y_va = read_msrp(d / "msr-para-val.tsv")
    from rapidfuzz import fuzz, process

    lex = process.cpdist([normalise(t) for t in a_va], [normalise(t) for t in b_va], scorer=fuzz.token_sort_ratio, workers=-1)
    acc, p, r, f1 = stats(y_va, (lex >= 65).astype(int))
    print(f"{'lexical token_sort_ratio >= 65 (earlier default)':<52} acc {acc:.3f} P {p:.3f} R {r:.3f} F1 {f1:.3f}")
    for model in (DEFAULT_MODEL, STATIC_MODEL):
        s_tr = fb.similarity(a_tr, b_tr, model=model)
        s_va = fb.similarity(a_va, b_va, model=model)
        acc, p, r, f1 = stats(y_va, (s_va >= semantic.THRESHOLD).astype(int))
        print(f"{'fb.similarity ' + model + f' >= {semantic.THRESHOLD:g} (default)':<52} acc {acc:.3f} P {p:.3f} R {r:.3f} F1 {f1:.3f}")
        best = max(range(1, 100), key=lambda t: (stats(y_tr, (s_tr >= t).astype(int))[3], -t))
        acc, p, r, f1 = stats(y_va, (s_va >= best).astype(int))
        print(f"{'fb.similarity ' + model + f' >= {best} (tuned on train)':<52} acc {acc:.3f} P {p:.3f} R {r:.3f} F1 {f1:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devdata", default=str(DEV))
    ap.add_argument("--only", nargs="+", default=["basil", "stsb", "retrieval", "msrp"])
    ap.add_argument("--refit", action="store_true", help="print the weights fitted on all BASIL events")
    args = ap.parse_args()
    dev = Path(args.devdata)
    if not dev.is_dir():
        raise SystemExit(f"no development data at {dev}")
    print("(machine shared with other jobs: timings are indicative)", flush=True)
    _memo_encode()
    for part in args.only:
        t0 = time.perf_counter()
        {"basil": lambda: run_basil(dev, args.refit), "stsb": lambda: run_stsb(dev),
         "retrieval": lambda: run_retrieval(dev), "msrp": lambda: run_msrp(dev)}[part]()
        print(f"   ({time.perf_counter() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
