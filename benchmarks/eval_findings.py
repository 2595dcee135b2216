"""Are the discrepancy flags worth a reviewer's minute? Figures on real reporting.

    python benchmarks/eval_findings.py [--devdata ../shared/devdata] [--only basil,frank,source,sample,events]

* basil_dev (20 events, three outlets each, 6 labelled disagreements): flags per event, flag
  precision, labelled disagreements found (the metric definitions of basil_dev/score.py), per event
  as well, so a figure can be read as cross-validation by event (no rule here was fitted per event).
* events on basil_dev: the 60 articles loaded as ONE corpus; ``fb.events`` should give back the 20
  stories (pairwise precision / recall of "same event").
* frank_valid (671 article / machine-summary pairs, human error labels): share of summaries flagged
  among those with entity or circumstance errors (``EntE < 1 or CircE < 1``) and among factual ones
  (``Factuality == 1``); F1 for "has such an error" against the trivial rule "the summary has a name
  or number the article lacks"; both halves of a split by article, to show the figures are stable.
* frank_valid, article vs summary (``source``): the same figures for
  ``fb.discrepancies(corpus, against_source="article")``, each beside the trivial rule's on the same
  pairs, and the flags per kind (absent / contradicted) on error and on factual summaries, on both
  halves and on each source corpus (cnndm, xsum). The trivial rule reads FRANK's summaries as given,
  tokenised ("angelina jolie 's" is then a name the article lacks; so is every "UNK"); its figures on
  the detokenised text factbench reads are printed beside (``*_trivial_detok_*``). No threshold here
  was fitted on FRANK's labels (the rules are reading rules; confidences are fixed). ``--dump FILE``
  writes one JSON line per pair (labels, flags) for error analysis.
* the sample (sample_data/): which flags, and which events.

Loads go through the parse cache ($FACTBENCH_CACHE); the first run parses ~700 texts.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
import time
from pathlib import Path

import pandas as pd

import factbench as fb
from basil_score import score_module

ROOT = Path(__file__).resolve().parents[1]


def _match(corpus):
    return fb.match(corpus, progress=False)


# ------------------------------------------------------------------ basil_dev

def to_gold_ids(corpus, spans, table, raw=None):
    """Claims → the labelled sentence they overlap most. score.py uses the claims' offsets, which shift
    when fb.load drops a title repeated as the text's first line; with ``raw`` (outlet → the text given
    to fb.load) a claim is first looked up by its words."""
    art_outlet = dict(zip(corpus.articles.article_id, corpus.articles.outlet))
    by_outlet = {}
    for sid, (o, s, e) in spans.items():
        by_outlet.setdefault(o, []).append((s, e, sid))
    out = {}
    for r in table.itertuples():
        best, ov = None, 0
        start, end = r.start, r.end
        if raw is not None:
            at = raw.get(art_outlet[r.article_id], "").find(r.text)
            if at >= 0:
                start, end = at, at + len(r.text)
        for s, e, sid in by_outlet.get(art_outlet[r.article_id], []):
            o = min(e, end) - max(s, start)
            if o > ov:
                best, ov = sid, o
        out[r.claim_id] = best
    return out


def eval_basil(devdata: Path, verbose: bool, by_text: bool = True) -> dict:
    events_dir, gold_dir = devdata / "basil_dev" / "events", devdata / "basil_dev" / "gold"
    tot = dict(events=0, flags=0, tp=0, gold=0, hit=0)
    t0 = time.time()
    shown = []
    for path in sorted(events_dir.glob("*.txt")):
        gp = gold_dir / (path.stem + ".json")
        if not gp.exists():
            continue
        g = json.loads(gp.read_text(encoding="utf-8"))
        df, spans = score_module(devdata).read_event(path)
        corpus = fb.load(df, progress=False)
        pairs = _match(corpus)
        flags = fb.discrepancies(corpus, pairs)
        c2g = to_gold_ids(corpus, spans, corpus.claims, raw=dict(zip(df.outlet, df.text)) if by_text else None)
        gd = {frozenset((d["a"], d["b"])) for d in g["disagreements"]}
        # a flag may have a sentence under the claim threshold on one side: map both sides by their words
        extra = pd.DataFrame({"claim_id": pd.concat([flags.claim_id_l, flags.claim_id_r]),
                              "text": pd.concat([flags.text_l, flags.text_r])}).drop_duplicates("claim_id")
        extra = extra[~extra.claim_id.isin(c2g)]
        if len(extra):
            sid = corpus.sentences.set_index("text")
            extra = extra.assign(article_id=[sid.article_id.get(t, "") for t in extra.text],
                                 start=[int(sid.start.get(t, 0)) if not hasattr(sid.start.get(t, 0), "__len__") else 0 for t in extra.text])
            extra["end"] = extra.start + extra.text.str.len()
            extra = extra[extra.article_id != ""]
            c2g.update(to_gold_ids(corpus, spans, extra, raw=dict(zip(df.outlet, df.text))))
        fl = {frozenset((c2g.get(a), c2g.get(b))) for a, b in zip(flags.claim_id_l, flags.claim_id_r)}
        tot["events"] += 1
        tot["flags"] += len(fl)
        tot["tp"] += len(fl & gd)
        tot["gold"] += len(gd)
        tot["hit"] += len(gd & fl)
        for r in flags.itertuples():
            key = frozenset((c2g.get(r.claim_id_l), c2g.get(r.claim_id_r)))
            shown.append(f"  {'OK ' if key in gd else 'no '} {path.stem} {r.kind}: {r.value_l!r} vs {r.value_r!r} "
                         f"[{c2g.get(r.claim_id_l)} / {c2g.get(r.claim_id_r)}]")
        for d in gd - fl:
            shown.append(f"  MISSED {path.stem} {sorted(d)}")
    res = {"basil_events": tot["events"], "basil_flags": tot["flags"],
           "basil_flags_per_event": tot["flags"] / max(tot["events"], 1),
           "basil_flag_precision": tot["tp"] / tot["flags"] if tot["flags"] else float("nan"),
           "basil_disagreements_found": tot["hit"], "basil_disagreements": tot["gold"],
           "basil_seconds": round(time.time() - t0, 1)}
    if verbose:
        print("\n".join(shown))
    return res


def eval_events_basil(devdata: Path) -> dict:
    """All 60 basil_dev articles as one corpus: does fb.events give the 20 stories back?"""
    if not hasattr(fb, "events"):
        return {}
    frames, truth = [], []
    for path in sorted((devdata / "basil_dev" / "events").glob("*.txt")):
        df, _ = score_module(devdata).read_event(path)
        frames.append(df)
        truth += [path.stem] * len(df)
    df = pd.concat(frames, ignore_index=True)
    df["outlet"] = df["outlet"] + "/" + pd.Series(truth)  # ids unique per article
    corpus = fb.load(df, progress=False)
    ev = fb.events(corpus)
    gold = dict(zip(corpus.articles.article_id, truth))
    pred = dict(zip(ev.article_id, ev.event_id))
    tp = fp = fn = 0
    for a, b in itertools.combinations(list(gold), 2):
        same_g, same_p = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_g and same_p
        fp += same_p and not same_g
        fn += same_g and not same_p
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    return {"events_basil_articles": len(gold), "events_found": ev.event_id.nunique(), "events_gold": len(set(truth)),
            "events_pair_precision": p, "events_pair_recall": r}


# ------------------------------------------------------------------ frank_valid

_NUM = re.compile(r"\d+(?:[.,]\d+)*")


def trivial_rule(nlp, article: str, summary: str) -> bool:
    """The summary has a name (a named entity) or a number (digits) that the article lacks."""
    low = article.lower()
    for e in nlp(summary).ents:
        if e.label_ in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT") and e.text.lower() not in low:
            return True
    return any(n not in article for n in _NUM.findall(summary))


def _prf(y, p):
    tp = sum(a and b for a, b in zip(y, p))
    fp = sum(b and not a for a, b in zip(y, p))
    fn = sum(a and not b for a, b in zip(y, p))
    pr = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    return pr, rc, (2 * pr * rc / (pr + rc) if pr + rc else 0.0)


def eval_frank(devdata: Path, limit: int | None, verbose: bool) -> dict:
    from factbench.ingest.nlp import get_nlp

    nlp = get_nlp()
    rows = [json.loads(line) for line in (devdata / "frank_valid" / "frank_valid.jsonl").open(encoding="utf-8")]
    if limit:
        rows = rows[:limit]
    recs = []
    t0 = time.time()
    for k, r in enumerate(rows):
        summary = r["summary"] if isinstance(r["summary"], str) else " ".join(r["summary"])
        df = pd.DataFrame({"text": [r["article"], summary], "outlet": ["article", "summary"],
                           "title": ["", ""], "published": ["", ""]})
        try:
            corpus = fb.load(df, progress=False, threshold=0.0)
        except fb.InputError:
            continue
        pairs = _match(corpus)
        flags = fb.discrepancies(corpus, pairs)
        summ_ids = set(corpus.claims.claim_id[corpus.claims.outlet == "summary"])
        hit = flags[flags.claim_id_l.isin(summ_ids) | flags.claim_id_r.isin(summ_ids)]
        err = r["EntE"] < 1 or r["CircE"] < 1
        recs.append({"hash": r["hash"], "err": err, "factual": r["Factuality"] == 1, "flagged": len(hit) > 0,
                     "trivial": trivial_rule(nlp, r["article"], summary)})
        if verbose and len(hit):
            for f in hit.itertuples():
                print(f"  {'ERR' if err else ('FAC' if r['Factuality'] == 1 else 'oth')} {f.kind}: {f.value_l!r} vs "
                      f"{f.value_r!r} | {f.explanation[:150]}")
        if (k + 1) % 100 == 0:
            print(f"  frank {k + 1}/{len(rows)} {time.time() - t0:.0f}s", file=sys.stderr)
    d = pd.DataFrame(recs)

    def figs(d, tag):
        err, fac = d[d.err], d[d.factual]
        p, r, f1 = _prf(d.err.tolist(), d.flagged.tolist())
        tp, tr, tf1 = _prf(d.err.tolist(), d.trivial.tolist())
        return {f"frank{tag}_n": len(d), f"frank{tag}_errors": int(d.err.sum()), f"frank{tag}_factual": len(fac),
                f"frank{tag}_flagged_err": float(err.flagged.mean()), f"frank{tag}_flagged_factual": float(fac.flagged.mean()),
                f"frank{tag}_precision": p, f"frank{tag}_recall": r, f"frank{tag}_f1": f1,
                f"frank{tag}_trivial_f1": tf1, f"frank{tag}_trivial_flagged_factual": float(fac.trivial.mean())}

    out = figs(d, "")
    # two halves split by article (hash), to see whether the figures hold on either half
    half = d.hash.map(lambda h: int(hashlib.sha1(h.encode()).hexdigest(), 16) % 2)
    for k in (0, 1):
        out.update(figs(d[half == k], f"_half{k}"))
    out["frank_seconds"] = round(time.time() - t0, 1)
    return out


def detokenise(text: str) -> str:
    """FRANK's summaries come tokenised (" .", "` x '", "it\\'s", "-lrb-", "-lsb-"): back to plain text. Data
    preparation for this corpus only; lengths change, nothing else."""
    t = text.replace("\\'", "'")
    for code, sign in (("lrb", "("), ("rrb", ")"), ("lsb", "["), ("rsb", "]"), ("lcb", "{"), ("rcb", "}")):
        t = re.sub(f"-{code}-", sign, t, flags=re.I)
    t = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", t)
    t = re.sub(r"([(\[{])\s+", r"\1", t)
    t = re.sub(r"\s+(['’](?:s|re|ve|ll|d|m|t)\b|n't\b)", r"\1", t)
    t = re.sub(r"`+\s*([^`']*?)\s*'+", r"'\1'", t)
    t = re.sub(r"\$\s+(\d)", r"$\1", t)
    return re.sub(r"\s{2,}", " ", t).strip()


def eval_frank_source(devdata: Path, limit: int | None, verbose: bool, dump: str | None = None) -> dict:
    """FRANK with the article-vs-summary mode: fb.discrepancies(corpus, against_source="article")."""
    from factbench.ingest.nlp import get_nlp

    nlp = get_nlp()
    rows = [json.loads(line) for line in (devdata / "frank_valid" / "frank_valid.jsonl").open(encoding="utf-8")]
    if limit:
        rows = rows[:limit]
    recs, kinds = [], []
    t0 = time.time()
    for k, r in enumerate(rows):
        summary = r["summary"] if isinstance(r["summary"], str) else " ".join(r["summary"])
        df = pd.DataFrame({"text": [r["article"], detokenise(summary)], "outlet": ["article", "summary"],
                           "title": ["", ""], "published": ["", ""]})
        try:
            corpus = fb.load(df, progress=False, threshold=0.0)
        except fb.InputError:
            continue
        flags = fb.discrepancies(corpus, against_source="article")
        err = r["EntE"] < 1 or r["CircE"] < 1
        fac = r["Factuality"] == 1
        recs.append({"hash": r["hash"], "err": err, "factual": fac, "flagged": len(flags) > 0,
                     "trivial": trivial_rule(nlp, r["article"], summary),
                     "trivial_detok": trivial_rule(nlp, r["article"], detokenise(summary)),
                     "dataset": r.get("dataset", "")})
        if dump:
            recs[-1]["flags"] = flags[["kind", "value_l", "value_r", "norm_l", "explanation", "text_l", "text_r"]] \
                .to_dict("records")
            recs[-1].update(k=k, model=r["model_name"], summary=detokenise(summary),
                            **{c: r[c] for c in ("EntE", "CircE", "OutE", "LinkE", "CorefE", "RelE", "Factuality")})
        for f in flags.itertuples():
            kinds.append({"kind": f.kind if f.norm_l == "absent" else f.kind + " contradicted", "err": err, "factual": fac})
            if verbose:
                print(f"  {'ERR' if err else ('FAC' if fac else 'oth')} {r['model_name']} {f.kind}: {f.value_l!r} vs "
                      f"{f.value_r!r} | {f.explanation[:160]}")
        if (k + 1) % 100 == 0:
            print(f"  frank-source {k + 1}/{len(rows)} {time.time() - t0:.0f}s", file=sys.stderr)
    if dump:  # one JSON line per pair: labels, our flags, the trivial rule (for error analysis)
        with open(dump, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(x, default=str) + "\n" for x in recs)
    d = pd.DataFrame(recs)

    def figs(d, tag):
        err, fac = d[d.err], d[d.factual]
        p, r, f1 = _prf(d.err.tolist(), d.flagged.tolist())
        tp, tr, tf1 = _prf(d.err.tolist(), d.trivial.tolist())
        return {f"src{tag}_n": len(d), f"src{tag}_flagged_err": float(err.flagged.mean()),
                f"src{tag}_flagged_factual": float(fac.flagged.mean()),
                f"src{tag}_ratio": float(err.flagged.mean() / max(fac.flagged.mean(), 1e-9)),
                f"src{tag}_precision": p, f"src{tag}_recall": r, f"src{tag}_f1": f1,
                f"src{tag}_trivial_flagged_err": float(err.trivial.mean()),
                f"src{tag}_trivial_flagged_factual": float(fac.trivial.mean()),
                f"src{tag}_trivial_precision": tp, f"src{tag}_trivial_recall": tr, f"src{tag}_trivial_f1": tf1,
                f"src{tag}_trivial_detok_flagged_factual": float(fac.trivial_detok.mean()),
                f"src{tag}_trivial_detok_f1": _prf(d.err.tolist(), d.trivial_detok.tolist())[2]}

    out = figs(d, "")
    half = d.hash.map(lambda h: int(hashlib.sha1(h.encode()).hexdigest(), 16) % 2)
    for k in (0, 1):
        out.update(figs(d[half == k], f"_half{k}"))
    for name, g in d.groupby("dataset"):  # CNN/DM (near-extractive) and XSum (abstractive) apart
        if name:
            out.update(figs(g, f"_{name}"))
    kd = pd.DataFrame(kinds, columns=["kind", "err", "factual"])
    for kind, g in kd.groupby("kind"):
        out[f"src_kind_{kind.replace(' ', '_')}"] = f"{len(g)} flags: {int(g.err.sum())} on error summaries, " \
                                                   f"{int(g.factual.sum())} on factual ones"
    out["src_seconds"] = round(time.time() - t0, 1)
    return out


# ------------------------------------------------------------------ sample

def eval_sample(verbose: bool) -> dict:
    corpus = fb.load(ROOT / "sample_data", progress=False)
    pairs = _match(corpus)
    flags = fb.discrepancies(corpus, pairs)
    art = dict(zip(corpus.claims.claim_id, corpus.claims.article_id))
    path = dict(zip(corpus.articles.article_id, corpus.articles.source_path.map(lambda p: Path(p).name[:3])))
    text = dict(zip(corpus.claims.claim_id, corpus.claims.text))
    out = {"sample_flags": len(flags)}
    found_003 = found_ordinal = False
    for r in flags.itertuples():
        a, b = path.get(art.get(r.claim_id_l), "?"), path.get(art.get(r.claim_id_r), "?")
        tl, tr = text.get(r.claim_id_l, ""), text.get(r.claim_id_r, "")
        if a == b == "003" and ("June 20" in tl + tr) and ("June 19" in tl + tr):
            found_003 = True
        if {a, b} == {"003", "004"} and ("second round" in tl + tr) and ("first direct" in tl + tr):
            found_ordinal = True
        if verbose:
            print(f"  {a}/{b} {r.kind}: {r.value_l!r} vs {r.value_r!r} | {r.explanation}")
    out["sample_003_june19_20_flagged"] = found_003
    out["sample_first_vs_second_round_flagged"] = found_ordinal
    if hasattr(fb, "events"):
        ev = fb.events(corpus)
        by = dict(zip(ev.article_id.map(path), ev.event_id))
        out["sample_events"] = " ".join(f"{k}:{by[k]}" for k in sorted(by))
        out["sample_events_ok"] = (by["000"] == by["001"] == by["004"] and len({by["000"], by["002"], by["003"]}) == 3)
        if verbose:
            print(ev.to_string())
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--devdata", default=str(ROOT.parent / "shared" / "devdata"))
    ap.add_argument("--only", default="sample,basil,events,frank,source")
    ap.add_argument("--frank-limit", type=int, default=None)
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--dump", default=None, help="write one JSON line per FRANK pair (labels, flags) for --only source")
    args = ap.parse_args(argv)
    devdata = Path(args.devdata)
    parts = set(args.only.split(","))
    res = {}
    if "sample" in parts:
        res.update(eval_sample(args.verbose))
    if "basil" in parts and (devdata / "basil_dev").exists():
        res.update(eval_basil(devdata, args.verbose))
    if "events" in parts and (devdata / "basil_dev").exists():
        res.update(eval_events_basil(devdata))
    if "frank" in parts and (devdata / "frank_valid").exists():
        res.update(eval_frank(devdata, args.frank_limit, args.verbose))
    if "source" in parts and (devdata / "frank_valid").exists():
        res.update(eval_frank_source(devdata, args.frank_limit, args.verbose, args.dump))
    for k, v in res.items():
        print(f"{k:36s} {v:.3f}" if isinstance(v, float) else f"{k:36s} {v}")
    return res


if __name__ == "__main__":
    main()
