"""The Jupyter extension: ``%load_ext factbench`` registers the ``%factbench`` line magic.

    %factbench review sample_data/ --store reviews.db --reviewer ana [--blind] [--order group]
    %factbench load sample_data/            # the corpus, shown as a summary
    %factbench analyse sample_data/         # statement groups across outlets (with discrepancies)
"""

from __future__ import annotations

import argparse
import shlex


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="%factbench", add_help=False)
    sub = ap.add_subparsers(dest="command")
    r = sub.add_parser("review", add_help=False)
    r.add_argument("path")
    r.add_argument("--store", default="reviews.db")
    r.add_argument("--reviewer", required=True)
    r.add_argument("--blind", action="store_true")
    r.add_argument("--order", default="checkworthiness", choices=["checkworthiness", "group", "document"])
    for name in ("load", "analyse", "analyze"):
        sub.add_parser(name, add_help=False).add_argument("path")
    return ap


def factbench_magic(line: str):
    """Run a factbench command in a notebook and return what it shows."""
    import factbench as fb

    try:
        args = _parser().parse_args(shlex.split(line))
    except SystemExit:
        raise ValueError("usage: %factbench review PATH --store reviews.db --reviewer NAME [--blind] "
                         "[--order checkworthiness|group|document] | %factbench load PATH | %factbench analyse PATH") from None
    if args.command is None:
        raise ValueError("usage: %factbench review|load|analyse PATH …")
    corpus = fb.load(args.path)
    if args.command == "load":
        return corpus
    pairs = fb.match(corpus)
    flags = fb.discrepancies(corpus, pairs)
    if args.command in ("analyse", "analyze"):
        return fb.statement_groups(corpus, pairs, flags)
    groups = fb.group(pairs, corpus)
    store = fb.VerdictStore(args.store)
    return fb.ReviewPanel(corpus, store=store, reviewer=args.reviewer, pairs=pairs, groups=groups, flags=flags,
                          blind=args.blind, order=args.order)


def load_ipython_extension(ipython) -> None:
    ipython.register_magic_function(factbench_magic, magic_kind="line", magic_name="factbench")


def unload_ipython_extension(ipython) -> None:
    ipython.magics_manager.magics["line"].pop("factbench", None)
