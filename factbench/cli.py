"""The ``factbench`` command line."""

from __future__ import annotations

import argparse
import sys

from .sources import InputError


def _add_load_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", help="a folder of .txt/.md/.html articles (with articles.csv), one file, or a CSV/JSONL/Parquet table")
    p.add_argument("--manifest", help="CSV naming each file's outlet, title, published date and url")
    p.add_argument("--text-column", help="the text column of a table (default: text, body or content)")
    p.add_argument("--threshold", type=float, default=None, help="check-worthiness a sentence needs to be a claim (0..1, default 0.5)")
    p.add_argument("--no-cache", action="store_true", help="parse again instead of reading the parse cache")


def _load(args):
    from .load import DEFAULT_THRESHOLD, load

    return load(args.path, manifest=args.manifest, text_column=args.text_column,
                threshold=DEFAULT_THRESHOLD if args.threshold is None else args.threshold,
                cache=not args.no_cache, progress=sys.stderr.isatty())


def cmd_claims(args) -> int:
    from .csvio import write_csv

    corpus = _load(args)
    print(corpus.summary())
    print()
    print(corpus.per_outlet().to_string())
    write_csv(corpus.claims, args.output)
    print(f"\nwrote {len(corpus.claims)} claims to {args.output}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="factbench",
        description="Fact-check workbench: load articles from several outlets, find check-worthy claims, "
                    "match them across outlets, flag discrepancies and export reviewers' verdicts.",
    )
    ap.add_argument("--version", action="version", version=f"factbench {__import__('factbench').__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("claims", help="load articles and write the check-worthy claims table",
                       description="Load articles, print a summary per outlet and write the claims table to CSV.")
    _add_load_args(p)
    p.add_argument("-o", "--output", default="claims.csv", help="CSV file to write (default: claims.csv)")
    p.set_defaults(func=cmd_claims)
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
