"""The ``factbench`` command line."""

from __future__ import annotations

import argparse
import sys

from .ingest.sources import InputError


def _bounded(lo: float, hi: float, what: str):
    """An argparse type: a number between ``lo`` and ``hi`` (inclusive)."""
    def parse(value: str) -> float:
        try:
            x = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if not lo <= x <= hi:  # NaN fails too
            raise argparse.ArgumentTypeError(f"{what} must lie between {lo:g} and {hi:g}, not {value}")
        return x
    return parse


def _check_output(path, *, folder: bool = False) -> None:
    """Fail before any work when the output cannot be written."""
    from .storage.csvio import check_output

    try:
        check_output(path, folder=folder)
    except OSError as e:
        raise InputError(f"cannot write the output: {e}") from None


def _add_load_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a folder of .txt/.md/.html articles (with articles.csv), one file, or a CSV/JSONL/Parquet table")
    p.add_argument("--manifest", help="CSV naming each file's outlet, title, published date and url")
    p.add_argument("--text-column", help="the text column of a table (default: text, body or content)")
    p.add_argument("--threshold", type=_bounded(0, 1, "--threshold"), default=None, help="check-worthiness a sentence needs to be a claim (0..1, default 0.5)")
    p.add_argument("--no-cache", action="store_true", help="parse again instead of reading the parse cache")


def _load(args):
    from .claims.load import DEFAULT_THRESHOLD, load

    return load(args.path, manifest=args.manifest, text_column=args.text_column,
                threshold=DEFAULT_THRESHOLD if args.threshold is None else args.threshold,
                cache=not args.no_cache, progress=sys.stderr.isatty())


def cmd_claims(args) -> int:
    from .storage.csvio import write_csv

    _check_output(args.output)
    corpus = _load(args)
    print(corpus.summary())
    print()
    print(corpus.per_outlet().to_string())
    write_csv(corpus.claims, args.output)
    print(f"\nwrote {len(corpus.claims)} claims to {args.output}")
    return 0


def _match_args(p: argparse.ArgumentParser) -> None:
    from .matching.match import DEFAULT_THRESHOLD, SEMANTIC_THRESHOLD

    p.add_argument("--method", choices=["semantic", "lexical"], default="semantic",
                   help="semantic (sentence embeddings + words + facts, the default) or lexical (TF-IDF + token_sort_ratio)")
    p.add_argument("--match-threshold", type=_bounded(0, 100, "--match-threshold"), default=None,
                   help=f"minimum matching score 0..100 (default {SEMANTIC_THRESHOLD:g} semantic, {DEFAULT_THRESHOLD:g} lexical)")
    p.add_argument("--same-outlet", action="store_true", help="also match statements of one outlet (other articles)")


def _pairs(args, corpus):
    from .matching.match import match

    return match(corpus, method=args.method, threshold=args.match_threshold, cross_outlet=not args.same_outlet,
                 progress=sys.stderr.isatty())


def cmd_match(args) -> int:
    from .storage.csvio import write_csv

    _check_output(args.output)
    corpus = _load(args)
    if args.against:
        from .matching.match import match

        try:
            found = match(corpus, against=args.against, text_column=args.against_text_column, top=args.top,
                          threshold=args.match_threshold, progress=sys.stderr.isatty(), rerank=not args.no_rerank)
        except (FileNotFoundError, ValueError) as err:
            print(f"factbench: {err}", file=sys.stderr)
            return 2
        write_csv(found, args.output)
        checked = found["claim_id_l"].nunique()
        print(f"{checked} of {len(corpus.claims)} claims were checked before (matches in {args.against}); "
              f"wrote {len(found)} matches to {args.output}")
        for r in found[found["rank"] == 1].head(10).itertuples():
            print(f"  {r.score:5.1f}  {_shorten(r.text_l, 60)}  ~  {_shorten(r.text_r, 60)}")
        return 0
    pairs = _pairs(args, corpus)
    write_csv(pairs, args.output)
    print(f"{len(pairs)} matched pairs among {len(corpus.claims)} claims; wrote {args.output}")
    return 0


def cmd_discrepancies(args) -> int:
    from .storage.csvio import write_csv
    from .findings.discrepancies import discrepancies

    _check_output(args.output)
    corpus = _load(args)
    if args.against_source:
        try:
            flags = discrepancies(corpus, against_source=args.against_source)
        except ValueError as err:
            print(f"factbench: {err}", file=sys.stderr)
            return 2
    else:
        flags = discrepancies(corpus, _pairs(args, corpus))
    write_csv(flags, args.output)
    print(f"{len(flags)} discrepancies (sorted by confidence); wrote {args.output}")
    print(flags["kind"].value_counts().to_string() if len(flags) else "")
    return 0


def _shorten(text: str, n: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


def cmd_analyse(args) -> int:
    from pathlib import Path

    from .storage.csvio import write_csv
    from .findings.discrepancies import discrepancies
    from .matching.groups import group
    from .findings.events import events, with_events
    from .findings.hints import hints

    _check_output(args.out, folder=True)
    corpus = _load(args)
    ev = events(corpus)
    pairs = with_events(_pairs(args, corpus), ev)
    groups = group(pairs, corpus)
    flags = discrepancies(corpus, pairs, events=ev)
    out = Path(args.out)
    text = corpus.claims.set_index("claim_id")
    print(corpus.summary())
    print()
    print(corpus.per_outlet().to_string())
    multi = groups[groups["group_size"] > 1]
    print(f"\n{multi['group_id'].nunique()} statement groups across outlets:")
    for gid, m in multi.groupby("group_id", sort=False):
        print(f"  [{gid}]")
        for c in m["claim_id"]:
            print(f"    {text.at[c, 'outlet']}: {_shorten(text.at[c, 'text'])}")
    labels = ev.drop_duplicates("event_id")
    print(f"\n{len(labels)} events:")
    for e in labels.itertuples():
        members = ev.loc[ev["event_id"] == e.event_id, "article_id"]
        outlets = corpus.articles.set_index("article_id").loc[list(members), "outlet"]
        print(f"  [{e.event_id}] {e.label}: {len(members)} article(s) ({', '.join(sorted(set(outlets)))})")
    print(f"\n{len(flags)} discrepancies (most confident first):")

    def outlet_of(cid: str) -> str:
        return str(text.at[cid, "outlet"]) if cid in text.index else "a sentence under the claim threshold"

    for r in flags.itertuples():
        print(f"  {r.kind} ({r.confidence:.2f}): {r.value_l} vs {r.value_r}  ({outlet_of(r.claim_id_l)} vs "
              f"{outlet_of(r.claim_id_r)})\n    {r.explanation}")
    h = hints(corpus, pairs, groups, flags)
    print("\nhints: " + ", ".join(f"{k or 'none'} {v}" for k, v in h["hint"].value_counts().items()))
    for name, df in (("claims", corpus.claims.merge(groups, on="claim_id").merge(h, on="claim_id")),
                     ("pairs", pairs), ("flags", flags), ("events", ev)):
        write_csv(df, out / f"{name}.csv")
    print(f"\nwrote claims.csv, pairs.csv, flags.csv and events.csv to {out}/")
    return 0


def cmd_export(args) -> int:
    import json
    from pathlib import Path

    from .storage.csvio import write_csv, write_text
    from .storage.export import claim_reviews, fever_records, validate_claim_review, verdict_table
    from .storage.store import StoreError, VerdictStore

    from .storage.postgres import is_postgres_url

    if not is_postgres_url(args.store) and not Path(args.store).exists():
        raise InputError(f"{args.store}: no such verdict store")
    fmt = args.format
    out = args.output or {"csv": "verdicts.csv", "jsonl": "verdicts.jsonl", "claimreview": "claimreview.jsonld"}[fmt]
    if args.corpus is None and fmt != "csv":
        raise InputError(f"--format {fmt} needs the articles: add --corpus PATH")
    _check_output(out)
    try:
        store = VerdictStore(args.store)
    except StoreError as e:
        raise InputError(str(e)) from None
    with store:
        current = len(store.latest())
        if args.corpus is None:
            latest = store.latest()
            latest["factbench_version"] = __import__("factbench").__version__
            write_csv(latest, out)
            print(f"wrote {len(latest)} current verdicts (no claim texts: add --corpus PATH for them) to {out}")
            return 0
        from .claims.load import load
        from .matching.groups import group
        from .matching.match import match

        corpus = load(args.corpus, progress=sys.stderr.isatty())
        groups = group(match(corpus, progress=False), corpus)
        if fmt == "csv":
            table = verdict_table(corpus, store, groups=groups)
            write_csv(table, out)
            n = int((table["verdict"] != "").sum())
            what = f"{n} verdicts and {int((table['verdict'] == '').sum())} unreviewed claims"
        elif fmt == "jsonl":
            recs = fever_records(corpus, store)
            write_text(out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs))
            n, what = len(recs), f"{len(recs)} verdicts"
        else:
            reviews = claim_reviews(corpus, store, groups=groups)
            for r in reviews:
                validate_claim_review(r)
            write_text(out, json.dumps(reviews, ensure_ascii=False, indent=2) + "\n")
            n, what = len(reviews), f"{len(reviews)} ClaimReviews"
    left = current - n
    note = ""
    if left > 0:
        why = "about claims not in this corpus" if fmt == "csv" else "skips, or about claims not in this corpus"
        note = f" ({left} of the {current} current verdicts left out: {why})"
    print(f"wrote {fmt} export of {what} to {out}{note}")
    return 0


def cmd_merge(args) -> int:
    from .storage.merge import merge
    from .storage.store import StoreError

    try:
        report = merge(args.stores, args.output, progress=sys.stderr.isatty())
    except StoreError as e:
        raise InputError(str(e)) from None
    print(report.summary())
    return 0


def workbench_command(notebook, *, cwd=None, port: int | None = None, no_browser: bool = False):
    """(command, root folder, URL path) that start JupyterLab on ``notebook``: the server's root is the
    current folder when the notebook lies under it (so sample_data/ shows in the file browser),
    else the notebook's folder; the URL printed and opened is the notebook's."""
    import os
    from pathlib import Path
    from urllib.parse import quote

    nb = Path(notebook).resolve()
    cwd = Path(cwd or os.getcwd()).resolve()
    root = cwd if cwd in nb.parents else nb.parent
    url = "/lab/tree/" + quote(nb.relative_to(root).as_posix())
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={root}", f"--LabApp.default_url={url}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI machines)
    if no_browser:
        cmd.append("--no-browser")
    if port:
        cmd.append(f"--port={port}")
    return cmd, root, url


def cmd_workbench(args) -> int:
    import subprocess
    from pathlib import Path

    nb = Path(args.notebook)
    if not nb.is_file():
        raise InputError(f"{nb}: no such notebook (run this from the factbench folder, or pass the notebook's path)")
    cmd, root, url = workbench_command(nb, port=args.port, no_browser=args.no_browser)
    print(f"starting JupyterLab in {root} on {url} (open the address with the token that Jupyter prints below)",
          flush=True)
    return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="factbench",
        description="Fact-check workbench: load articles from several outlets, find check-worthy claims, "
                    "match them across outlets, flag discrepancies and export reviewers' verdicts.",
    )
    ap.add_argument("--version", action="version", version=f"factbench {__import__('factbench').__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("workbench", help="open the workbench notebook in JupyterLab",
                       description="Start JupyterLab on notebooks/workbench.ipynb (load, claims, groups, "
                                   "discrepancies, review panel, export, analysis).")
    p.add_argument("notebook", nargs="?", default="notebooks/workbench.ipynb")
    p.add_argument("--port", type=int, help="port for JupyterLab (default: its own choice)")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=cmd_workbench)

    p = sub.add_parser("claims", help="load articles and write the check-worthy claims table",
                       description="Load articles, print a summary per outlet and write the claims table to CSV.")
    _add_load_args(p)
    p.add_argument("-o", "--output", default="claims.csv", help="CSV file to write (default: claims.csv)")
    p.set_defaults(func=cmd_claims)

    p = sub.add_parser("analyse", aliases=["analyze"], help="claims, statement groups, discrepancies and hints in one run",
                       description="Load articles; print the claims per outlet, the statement groups across outlets "
                                   "and the discrepancies; write claims.csv (with groups and hints), pairs.csv and flags.csv.")
    _add_load_args(p)
    _match_args(p)
    p.add_argument("--out", default="factbench-out", help="folder for the CSV files (default: factbench-out)")
    p.set_defaults(func=cmd_analyse)

    p = sub.add_parser("match", help="write pairs of claims that state the same thing across outlets",
                       description="Match claims across outlets (sentence embeddings, words and facts in one "
                                   "calibrated score; or --method lexical) and write the pairs; with --against, "
                                   "find which claims were checked before in a table of earlier fact-checks.")
    _add_load_args(p)
    _match_args(p)
    p.add_argument("--against", metavar="FILE", help="a table of earlier fact-checks (CSV/TSV/JSONL/Parquet, or "
                   "ClaimReview JSON-LD): write each claim's best matches in it instead of pairs across outlets")
    p.add_argument("--against-text-column", help="the text column of the --against table (default: text, "
                   "claimReviewed, claim or vclaim)")
    p.add_argument("--top", type=int, default=3, help="matches per claim with --against (default 3)")
    p.add_argument("--no-rerank", action="store_true", help="with --against: rank by the calibrated score alone, "
                   "without the pair scorer (faster, less accurate)")
    p.add_argument("-o", "--output", default="pairs.csv", help="CSV file to write (default: pairs.csv)")
    p.set_defaults(func=cmd_match)

    p = sub.add_parser("discrepancies", help="write the facts on which statements disagree",
                       description="Match claims, then flag disagreeing dates, numbers, durations, places, actors and negations.")
    _add_load_args(p)
    _match_args(p)
    p.add_argument("--against-source", metavar="ARTICLE",
                   help="read every other article against this one (an article id or outlet): names, numbers and "
                        "dates it lacks or gives otherwise, e.g. summaries against their article")
    p.add_argument("-o", "--output", default="flags.csv", help="CSV file to write (default: flags.csv)")
    p.set_defaults(func=cmd_discrepancies)

    p = sub.add_parser("export", help="export reviewers' verdicts from a verdict store",
                       description="Export the current verdicts of a verdict store (e.g. reviews.db) as CSV, "
                                   "FEVER-style JSON Lines or schema.org ClaimReview JSON-LD.")
    p.add_argument("store", help="the verdict store: a file such as reviews.db, or a postgresql:// URL")
    p.add_argument("-o", "--output", help="file to write (default: verdicts.csv / verdicts.jsonl / claimreview.jsonld)")
    p.add_argument("--format", choices=["csv", "jsonl", "claimreview"], default="csv")
    p.add_argument("--corpus", help="the articles the verdicts are about (folder, file or table), for claim texts, outlets and groups")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("merge", help="merge the verdict stores of several reviewers into one",
                       description="Merge verdict stores (e.g. of reviewers who worked offline) into one SQLite file "
                                   "or PostgreSQL database. Rows already in the target are not added again: merging "
                                   "twice adds nothing. Undos stay attached to the decisions they undo.")
    p.add_argument("stores", nargs="+", help="verdict store files (or postgresql:// URLs) to merge")
    p.add_argument("-o", "--output", required=True, help="the store to merge into: a file (created if missing, "
                   "e.g. team.db) or a postgresql://user@host/db URL")
    p.set_defaults(func=cmd_merge)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not getattr(args, "func", None):
        ap.print_help()
        return 2
    try:
        return args.func(args)
    except InputError as e:
        print(f"factbench: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"factbench: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
