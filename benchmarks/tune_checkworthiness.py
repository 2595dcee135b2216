"""Fit and evaluate the check-worthiness weights on the public CLEF 2019 training debates.

    python benchmarks/tune_checkworthiness.py [--devdata ../shared/devdata]

Prints leave-one-debate-out mean average precision (MAP, the CLEF 2019 primary measure) and R-precision
for: the shipped weights, weights refitted in each fold, a length-only baseline and a TF-IDF
bag-of-words logistic regression (for reference; not shipped). Finally prints weights fitted on all
debates, ready to paste into factbench/checkworthiness.py.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import time
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--devdata", default=str(Path(__file__).resolve().parents[2] / "shared" / "devdata"))
    ap.add_argument("--cache", default=str(Path(__file__).resolve().parent / "out" / "clef_entities.pkl"))
    args = ap.parse_args()
    debates = load_clef(Path(args.devdata) / "clef2019_checkworthy_train")
    n = sum(len(t) for _, t, _ in debates)
    print(f"CLEF 2019 train: {len(debates)} debates, {n} sentences, "
          f"{sum(int(y.sum()) for *_, y in debates)} check-worthy")

    cache = Path(args.cache)
    if cache.exists():
        labels = pickle.loads(cache.read_bytes())
    else:
        t0 = time.perf_counter()
        labels = [cw._entity_labels(texts) for _, texts, _ in debates]
        print(f"entity recognition: {n / (time.perf_counter() - t0):.0f} sentences/s")
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps(labels))

    xs = [cw.feature_matrix(texts, lab) for (_, texts, _), lab in zip(debates, labels)]
    ys = [y for *_, y in debates]

    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def fit(x, y):
        m = LogisticRegression(C=0.3, class_weight="balanced", max_iter=2000)
        m.fit(x, y)
        return m

    res = {"shipped weights": [], "refit per fold": [], "length only": [], "tf-idf LR (reference)": []}
    for i in range(len(debates)):
        tr = [j for j in range(len(debates)) if j != i]
        xtr, ytr = np.vstack([xs[j] for j in tr]), np.concatenate([ys[j] for j in tr])
        y = ys[i]
        res["shipped weights"].append((average_precision(y, cw.score_matrix(xs[i])), r_precision(y, cw.score_matrix(xs[i]))))
        m = fit(xtr, ytr)
        s = m.decision_function(xs[i])
        res["refit per fold"].append((average_precision(y, s), r_precision(y, s)))
        s = xs[i][:, cw.FEATURE_NAMES.index("words_log")]
        res["length only"].append((average_precision(y, s), r_precision(y, s)))
        vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        ttr = [t for j in tr for t in debates[j][1]]
        lr = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(vec.fit_transform(ttr), ytr)
        s = lr.decision_function(vec.transform(debates[i][1]))
        res["tf-idf LR (reference)"].append((average_precision(y, s), r_precision(y, s)))

    print(f"\nleave-one-debate-out over {len(debates)} debates")
    print(f"{'scorer':<24} {'MAP':>6} {'R-prec':>7}")
    for k, v in res.items():
        a = np.array(v)
        print(f"{k:<24} {a[:, 0].mean():6.3f} {a[:, 1].mean():7.3f}")

    m = fit(np.vstack(xs), np.concatenate(ys))
    print("\nweights fitted on all debates:")
    print(f"BIAS = {m.intercept_[0]:.4f}")
    print("WEIGHTS = {" + ", ".join(f'"{k}": {w:.4f}' for k, w in zip(cw.FEATURE_NAMES, m.coef_[0])) + "}")


if __name__ == "__main__":
    main()
