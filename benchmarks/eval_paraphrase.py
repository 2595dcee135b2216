"""Choose the default matching scorer and threshold on real paraphrase data (MSRP).

    python benchmarks/eval_paraphrase.py [--devdata ../shared/devdata]

For each rapidfuzz scorer, on factbench-normalised text: the threshold that maximises accuracy on the
MSRP train split, and accuracy / precision / recall / F1 at that threshold on the validation split.
The published lexical-overlap baselines reach about 0.72-0.74 accuracy and 0.81 F1.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from rapidfuzz import process

from factbench.matching.match import DEFAULT_SCORER, DEFAULT_THRESHOLD
from factbench.matching.scoring import SCORERS, combined_scores
from factbench.ingest.text import normalise


def read_msrp(path: Path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    rows = [r for r in rows[1:] if len(r) >= 5]
    return [r[3] for r in rows], [r[4] for r in rows], np.array([int(r[0]) for r in rows])


def stats(y, pred):
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    acc = float((pred == y).mean())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return acc, p, r, f1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--devdata", default=str(Path(__file__).resolve().parents[2] / "shared" / "devdata"))
    args = ap.parse_args()
    d = Path(args.devdata) / "msrp_train"
    a_tr, b_tr, y_tr = read_msrp(d / "msr-para-train.tsv")
    a_va, b_va, y_va = read_msrp(d / "msr-para-val.tsv")
    print(f"MSRP train {len(y_tr)} pairs ({y_tr.mean():.2f} positive), validation {len(y_va)} pairs")
    print(f"{'scorer':<28} {'thr':>4} {'acc(tr)':>8} {'acc':>6} {'P':>6} {'R':>6} {'F1':>6}")
    variants = []
    for sw in (False, True):
        for name in list(SCORERS) + ["factbench"]:
            variants.append((name, sw))
    for name, sw in variants:
        def score(a, b):
            na = [normalise(x, stop_words=sw) for x in a]
            nb = [normalise(x, stop_words=sw) for x in b]
            if name == "factbench":
                return combined_scores(na, nb)
            return process.cpdist(na, nb, scorer=SCORERS[name], workers=-1)
        s_tr, s_va = score(a_tr, b_tr), score(a_va, b_va)
        best = max(range(30, 100), key=lambda t: (stats(y_tr, (s_tr >= t).astype(int))[0], -t))
        acc_tr = stats(y_tr, (s_tr >= best).astype(int))[0]
        acc, p, r, f1 = stats(y_va, (s_va >= best).astype(int))
        label = f"{name}{' (no stop words)' if sw else ''}"
        print(f"{label:<28} {best:>4} {acc_tr:8.3f} {acc:6.3f} {p:6.3f} {r:6.3f} {f1:6.3f}")
        if name == DEFAULT_SCORER and not sw:
            t = DEFAULT_THRESHOLD
            acc_tr = stats(y_tr, (s_tr >= t).astype(int))[0]
            acc, p, r, f1 = stats(y_va, (s_va >= t).astype(int))
            print(f"{'  ' + name + ' (default)':<28} {t:>4g} {acc_tr:8.3f} {acc:6.3f} {p:6.3f} {r:6.3f} {f1:6.3f}")

    # the pair scorer (a cross-encoder, used to rerank match(against=)): alone and as the geometric mean with
    # the calibrated score (factbench.matching.rerank.combine), at the one threshold 55 and tuned on train
    import factbench as fb
    from factbench.matching import rerank

    a_t, b_t, y_t = a_tr[:1000], b_tr[:1000], y_tr[:1000]
    cal_t, cal_v = fb.similarity(a_t, b_t), fb.similarity(a_va, b_va)
    cr_t, cr_v = rerank.cross_scores(a_t, b_t, progress=False), rerank.cross_scores(a_va, b_va, progress=False)
    print("\nsemantic scores (threshold 55; and tuned on the first 1,000 train pairs)")
    for label, s_t, s_v in (("fb.similarity (calibrated)", cal_t, cal_v), ("pair scorer alone", cr_t, cr_v),
                            ("geometric mean (rerank.combine)", rerank.combine(cal_t, cr_t), rerank.combine(cal_v, cr_v))):
        acc, p, r, f1 = stats(y_va, (s_v >= 55).astype(int))
        best = max(range(1, 100), key=lambda t: (stats(y_t, (s_t >= t).astype(int))[3], -t))
        print(f"{label:<34} 55: acc {acc:.3f} P {p:.3f} R {r:.3f} F1 {f1:.3f} · {best}: "
              f"F1 {stats(y_va, (s_v >= best).astype(int))[3]:.3f}")


if __name__ == "__main__":
    main()
