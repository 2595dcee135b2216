"""Claims, sourcing and speakers on hand-labelled news; check-worthiness ranking on debates.

    python benchmarks/eval_claims.py [--devdata ../shared/devdata] [--skip-clef] [--skip-basil]

BASIL dev (20 events, three outlets each, labelled by hand; see devdata/basil_dev/README.md): each event
is loaded with factbench's defaults exactly as ``basil_dev/score.py`` does, factbench's claims are
mapped back to the labelled sentences by character overlap, and the script prints, with score.py's
definitions: claims precision / recall / F1 against ``verifiable`` sentences, sourcing accuracy and
speaker accuracy on claims (all 20 events, and each half of the events sorted by name, to see whether a
change holds on both); also how many of factbench's sentences run across a paragraph break.
Matching is not run (score.py does that; the figures printed here are the same).

CLEF 2019 (19 training debates): mean average precision by held-out debate (grouped cross-validation,
one debate out at a time) of factbench's check-worthiness (refitted in each fold on the other debates
only) next to a plain word TF-IDF logistic regression trained in the same folds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from basil_score import score_module

DEFAULT_DEVDATA = Path(__file__).resolve().parents[2] / "shared" / "devdata"


def speaker_ok(gold: str, predicted: str) -> bool:
    """score.py's rule: the gold speaker's last word appears in the predicted speaker."""
    sp = str(predicted or "").lower()
    return bool(sp) and gold.split()[-1].lower().strip(".,") in sp


def g_items(g: dict):
    return [(s["id"], s) for s in g["sentences"]]


def _f1(rows, t: float) -> tuple[int, int, int]:
    tp = sum(1 for _, sc, v in rows if sc >= t and v)
    fp = sum(1 for _, sc, v in rows if sc >= t and not v)
    fn = sum(1 for _, sc, v in rows if sc < t and v)
    return tp, fp, fn


def threshold_cv(scored) -> dict:
    """Claims F1 against verifiable sentences when the threshold is chosen on the other 19 events
    (leave one event out), pooled over the held-out events; and the thresholds chosen."""
    grid = [round(x, 2) for x in np.arange(0.05, 0.8, 0.01)]
    events = sorted({e for e, *_ in scored})
    tp = fp = fn = 0
    chosen = []
    for ev in events:
        train = [r for r in scored if r[0] != ev]
        def f1(t):
            a, b, c = _f1(train, t)
            return 2 * a / (2 * a + b + c) if a else 0.0
        t = max(grid, key=f1)
        chosen.append(t)
        a, b, c = _f1([r for r in scored if r[0] == ev], t)
        tp, fp, fn = tp + a, fp + b, fn + c
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"f1": 2 * p * r / (p + r) if p + r else 0.0, "precision": p, "recall": r,
            "thresholds": (min(chosen), float(np.median(chosen)), max(chosen))}


def basil(devdata: Path, *, verbose: bool = False, threshold: float | None = None) -> dict:
    import factbench as fb

    events, gold = devdata / "basil_dev" / "events", devdata / "basil_dev" / "gold"
    tot = dict(claims=0, claims_verif=0, gold_verif=0, verif_hit=0, src_n=0, src_ok=0, spk_n=0, spk_ok=0,
               sentences=0, across_paragraphs=0, events=0)
    errors = []
    per_event: dict[str, list[int]] = {}  # event -> [src_n, src_ok, spk_n, spk_ok]
    scored: list[tuple[str, float, bool]] = []  # (event, best score of its sentences, verifiable)
    t0 = time.perf_counter()
    bs = score_module(devdata)  # score.py's reader and mapper: its definitions, not copies
    read_event, to_gold_ids = bs.read_event, bs.to_gold_ids
    with tempfile.TemporaryDirectory() as tmp:
        for name in sorted(os.listdir(events)):
            gp = gold / (name[:-4] + ".json")
            if not name.endswith(".txt") or not gp.exists():
                continue
            g = json.loads(gp.read_text(encoding="utf-8"))
            df, spans = read_event(events / name)
            kw = {} if threshold is None else {"threshold": threshold}
            corpus = fb.load(df, cache=str(Path(tmp) / "parses.sqlite"), progress=False, **kw)
            tot["events"] += 1
            texts = dict(zip(corpus.articles.article_id, corpus.articles.text))
            tot["sentences"] += len(corpus.sentences)
            tot["across_paragraphs"] += sum("\n\n" in texts[a][s:e] for a, s, e in
                                            zip(corpus.sentences.article_id, corpus.sentences.start, corpus.sentences.end))
            s2g = to_gold_ids(corpus, spans, corpus.sentences)
            best: dict[str, float] = {}
            for sid, sc in zip(corpus.sentences.sentence_id, corpus.sentences.checkworthiness):
                gid = s2g.get(sid)
                if gid:
                    best[gid] = max(best.get(gid, 0.0), float(sc))
            for gid, s_ in g_items(g):
                scored.append((name, best.get(gid, -1.0), bool(s_.get("verifiable"))))
            c2g = to_gold_ids(corpus, spans, corpus.claims)
            gsent = {s["id"]: s for s in g["sentences"]}
            cl = {c2g[c] for c in corpus.claims.claim_id if c2g.get(c)}
            gv = {i for i, s in gsent.items() if s.get("verifiable")}
            tot["claims"] += len(cl)
            tot["claims_verif"] += len(cl & gv)
            tot["gold_verif"] += len(gv)
            tot["verif_hit"] += len(gv & cl)
            for r in corpus.claims.itertuples():
                gs = gsent.get(c2g.get(r.claim_id))
                if not gs or not gs.get("sourcing"):
                    continue
                tot["src_n"] += 1
                ok_src = r.sourcing == gs["sourcing"]
                tot["src_ok"] += ok_src
                pe = per_event.setdefault(name, [0, 0, 0, 0])
                pe[0] += 1
                pe[1] += ok_src
                ok_spk = True
                if gs.get("speaker"):
                    tot["spk_n"] += 1
                    ok_spk = speaker_ok(gs["speaker"], r.speaker)
                    tot["spk_ok"] += ok_spk
                    pe[2] += 1
                    pe[3] += ok_spk
                if not (ok_src and ok_spk):
                    errors.append((name[6:14], c2g.get(r.claim_id), gs["sourcing"], gs.get("speaker"), r.sourcing,
                                   r.speaker, r.text[:160]))
    d = lambda a, b: tot[a] / tot[b] if tot[b] else float("nan")  # noqa: E731
    p, r = d("claims_verif", "claims"), d("verif_hit", "gold_verif")
    res = {"events": tot["events"], "claim_precision_verifiable": p, "claim_recall_verifiable": r,
           "claim_f1": 2 * p * r / (p + r) if p + r else 0.0,
           "sourcing_accuracy": d("src_ok", "src_n"), "speaker_accuracy": d("spk_ok", "spk_n"),
           "sourcing_right_of": f"{tot['src_ok']} / {tot['src_n']}", "speaker_right_of": f"{tot['spk_ok']} / {tot['spk_n']}",
           "sentences": tot["sentences"], "sentences_across_paragraph_break": tot["across_paragraphs"],
           "seconds": round(time.perf_counter() - t0, 1)}
    # the same accuracies per half of the events (sorted by name), to see whether a gain holds on both
    names = sorted(per_event)
    for label, half in (("first_half", names[: len(names) // 2]), ("second_half", names[len(names) // 2:])):
        n = [sum(per_event[e][i] for e in half) for i in range(4)]
        res[f"sourcing_accuracy_{label}"] = n[1] / n[0] if n[0] else float("nan")
        res[f"speaker_accuracy_{label}"] = n[3] / n[2] if n[2] else float("nan")
    res["threshold_leave_one_event_out"] = threshold_cv(scored)
    if verbose:
        for e in errors:
            print("  ", *e, sep=" | ")
    return res


def clef(devdata: Path) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from tune_checkworthiness import grouped_cv  # noqa: E402

    return grouped_cv(devdata / "clef2019_checkworthy_train")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devdata", default=str(DEFAULT_DEVDATA))
    ap.add_argument("--skip-clef", action="store_true")
    ap.add_argument("--skip-basil", action="store_true")
    ap.add_argument("--threshold", type=float)
    ap.add_argument("-v", "--verbose", action="store_true", help="list the wrongly sourced or attributed claims")
    args = ap.parse_args()
    devdata = Path(args.devdata)
    if not args.skip_basil:
        print("BASIL dev, 20 events (score.py's definitions):")
        for k, v in basil(devdata, verbose=args.verbose, threshold=args.threshold).items():
            if isinstance(v, dict):
                v = ", ".join(f"{a} {b:.3f}" if isinstance(b, float) else f"{a} {b}" for a, b in v.items())
            print(f"  {k:34s} {v:.3f}" if isinstance(v, float) else f"  {k:34s} {v}")
    if not args.skip_clef:
        print("CLEF 2019 training debates, MAP by held-out debate (grouped CV):")
        for k, v in clef(devdata).items():
            print(f"  {k:34s} MAP {v[0]:.3f}  R-prec {v[1]:.3f}")


if __name__ == "__main__":
    main()
