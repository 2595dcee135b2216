"""Fit and evaluate the check-worthiness weights on the public CLEF 2019 training debates.

    python benchmarks/tune_checkworthiness.py [--devdata ../shared/devdata]

Prints mean average precision (MAP, the CLEF 2019 primary measure) and R-precision by held-out debate
(grouped cross-validation, one debate out per fold, everything refitted on the other 18) for a word
TF-IDF logistic regression (the baseline), the named features alone, and factbench's model (named
features and word TF-IDF in one logistic regression). ``--write`` fits factbench's model on all 19
debates and writes factbench/claims/checkworthiness_model.json (weights only; no sentence of the data).
"""

from __future__ import annotations

import argparse
import csv
import json
import pickle
from pathlib import Path

import numpy as np

from factbench.claims import checkworthiness as cw


def load_clef(folder: Path):
    debates = []
    for f in sorted(folder.glob("*.tsv")):
        rows = []
        with f.open(encoding="utf-8", newline="") as fh:
            for r in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(r) >= 4:
                    rows.append((r[2].strip(), int(r[3])))
        debates.append((f.stem, [t for t, _ in rows], np.array([y for _, y in rows])))
    return debates


def average_precision(y: np.ndarray, s: np.ndarray) -> float:
    order = np.argsort(-s, kind="stable")
    y = y[order]
    if y.sum() == 0:
        return 0.0
    hits = np.cumsum(y)
    return float((hits / np.arange(1, len(y) + 1))[y == 1].mean())


def r_precision(y: np.ndarray, s: np.ndarray) -> float:
    r = int(y.sum())
    return float(y[np.argsort(-s, kind="stable")][:r].mean()) if r else 0.0


def _entity_labels_cached(debates, cache: Path):
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    labels = [cw._entity_labels(texts) for _, texts, _ in debates]
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(pickle.dumps(labels))
    return labels


def grouped_cv(folder: Path, cache: Path | None = None) -> dict:
    """MAP and R-precision by held-out debate (each debate held out once; nothing of it is seen in
    fitting) for: word TF-IDF logistic regression (the baseline), the named features alone, and
    factbench's model (named features + word TF-IDF in one logistic regression)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    debates = load_clef(folder)
    labels = _entity_labels_cached(debates, cache or Path(__file__).resolve().parent / "out" / "clef_entities.pkl")
    xs = [cw.feature_matrix(texts, lab) for (_, texts, _), lab in zip(debates, labels)]
    ys = [y for *_, y in debates]
    res: dict[str, list] = {"word TF-IDF LR (baseline)": [], "named features LR": [], "factbench (features + words)": []}
    for i in range(len(debates)):
        tr = [j for j in range(len(debates)) if j != i]
        ytr = np.concatenate([ys[j] for j in tr])
        ttr = [t for j in tr for t in debates[j][1]]
        y = ys[i]
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        wtr, wte = vec.fit_transform(ttr), vec.transform(debates[i][1])
        s = LogisticRegression(C=1.0, class_weight="balanced", solver="liblinear", max_iter=2000).fit(wtr, ytr).decision_function(wte)
        res["word TF-IDF LR (baseline)"].append((average_precision(y, s), r_precision(y, s)))
        xtr = np.vstack([xs[j] for j in tr])
        m = LogisticRegression(C=0.3, class_weight="balanced", max_iter=2000).fit(xtr, ytr)
        s = m.decision_function(xs[i])
        res["named features LR"].append((average_precision(y, s), r_precision(y, s)))
        m, _ = cw.fit_model(ttr, xtr, ytr)
        s = cw.model_logits(m, debates[i][1], xs[i])
        res["factbench (features + words)"].append((average_precision(y, s), r_precision(y, s)))
    return {k: tuple(np.array(v).mean(axis=0)) for k, v in res.items()}


def load_basil(folder: Path):
    """BASIL dev sentences as the labellers split them: (texts, verifiable, event names)."""
    texts, ys, events = [], [], []
    for f in sorted((folder / "events").glob("*.txt")):
        gold = {x["id"]: x for x in json.loads((folder / "gold" / (f.stem + ".json")).read_text(encoding="utf-8"))["sentences"]}
        for line in f.read_text(encoding="utf-8").splitlines():
            if "\t" in line and not line.startswith("=== "):
                sid, text = line.split("\t", 1)
                if sid in gold:
                    texts.append(text)
                    ys.append(bool(gold[sid]["verifiable"]))
                    events.append(f.stem)
    return texts, np.array(ys), np.array(events)


def _best_threshold(p: np.ndarray, y: np.ndarray) -> float:
    grid = np.round(np.arange(0.30, 0.95, 0.01), 2)
    f1 = [2 * (y & (p >= t)).sum() / ((p >= t).sum() + y.sum()) for t in grid]
    return float(grid[int(np.argmax(f1))])


def news_cv(texts, y, events, x, debate_logit, mu, sd) -> dict:
    """The news layer and its claim threshold by held-out event: both fitted on the other 19 events,
    F1 of claims against verifiable sentences pooled over the held-out events."""
    pred, gold, chosen = [], [], []
    for ev in np.unique(events):
        te = events == ev
        layer = cw.fit_news(x[~te], debate_logit[~te], y[~te], mu, sd)
        def prob(m):
            dm, ds, w = layer["debate"]
            z = ((x[m] - mu) / sd) @ np.array([layer["features"][k] for k in cw.FEATURE_NAMES])
            return 1 / (1 + np.exp(-(z + w * (debate_logit[m] - dm) / ds + layer["bias"])))
        t = _best_threshold(prob(~te), y[~te])
        chosen.append(t)
        pred.append(prob(te) >= t)
        gold.append(y[te])
    p, g = np.concatenate(pred), np.concatenate(gold)
    tp = (p & g).sum()
    prec, rec = tp / max(p.sum(), 1), tp / max(g.sum(), 1)
    base = 2 * g.mean() / (1 + g.mean())
    return {"f1": 2 * prec * rec / (prec + rec), "precision": prec, "recall": rec, "every sentence a claim (F1)": base,
            "threshold": float(np.median(chosen)), "thresholds": (min(chosen), max(chosen))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--devdata", default=str(Path(__file__).resolve().parents[2] / "shared" / "devdata"))
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parent / "out" / "clef_entities.pkl"))
    ap.add_argument("--skip-cv", action="store_true", help="only fit and write (with --write)")
    ap.add_argument("--write", action="store_true", help="fit on all 19 debates and write the shipped model file")
    args = ap.parse_args()
    folder = Path(args.devdata) / "clef2019_checkworthy_train"
    debates = load_clef(folder)
    n = sum(len(t) for _, t, _ in debates)
    print(f"CLEF 2019 train: {len(debates)} debates, {n} sentences, "
          f"{sum(int(y.sum()) for *_, y in debates)} check-worthy")
    if not args.skip_cv:
        print(f"\nby held-out debate (grouped CV, {len(debates)} folds)")
        print(f"{'scorer':<32} {'MAP':>6} {'R-prec':>7}")
        for k, (a, r) in grouped_cv(folder, Path(args.cache)).items():
            print(f"{k:<32} {a:6.3f} {r:7.3f}")
    if args.write:
        labels = _entity_labels_cached(debates, Path(args.cache))
        x = np.vstack([cw.feature_matrix(t, lab) for (_, t, _), lab in zip(debates, labels)])
        texts = [t for _, ts, _ in debates for t in ts]
        parts, model = cw.fit_model(texts, x, np.concatenate([y for *_, y in debates]))
        # the news layer, on BASIL dev (cross-validated by event: those are the figures to quote)
        btexts, by, bev = load_basil(Path(args.devdata) / "basil_dev")
        bx = cw.feature_matrix(btexts, cw._entity_labels(btexts))
        blogit = cw.model_logits(parts, btexts, bx)
        _, mu, sd, _ = parts
        res = news_cv(btexts, by, bev, bx, blogit, mu, sd)
        print("\nnews layer, BASIL dev by held-out event (layer and threshold fitted on the other 19):")
        print("  " + ", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in res.items()))
        model["news"] = cw.fit_news(bx, blogit, by, mu, sd)
        model["news"]["threshold"] = res["threshold"]
        cw.MODEL_PATH.write_text(json.dumps(model, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {cw.MODEL_PATH} ({len(model['terms'])} terms; news threshold {res['threshold']})")


if __name__ == "__main__":
    main()
