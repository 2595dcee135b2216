"""Merge the verdict stores of reviewers who worked offline into one store (SQLite file or PostgreSQL).

A row is known by what it says, not by its number: reviewer, claim, action, verdict, note, evidence,
text hash, the microsecond it was decided and, for an undo, the row it undoes. Each store numbers its
rows from 1, so the numbers cannot be kept across stores: the target numbers the rows it receives and an
undo is pointed at the target's number of the row it undoes. Merging is idempotent: a row already in the
target (from an earlier merge, or because the target is one of the sources) is not added again, so
merging twice adds nothing and no row is doubled. New rows are appended in the order they were decided
(each source's own order kept), in one transaction: a merge that fails adds nothing.

>>> from factbench.storage.store import VerdictStore
>>> a, b, team = VerdictStore(":memory:"), VerdictStore(":memory:"), VerdictStore(":memory:")
>>> _ = a.record("c1", "supported", reviewer="ana")
>>> _ = b.record("c1", "contradicted", reviewer="bo")
>>> merge([a, b], team).added
2
>>> merge([a, b], team).added
0
>>> sorted(team.latest()["reviewer"])
['ana', 'bo']
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .store import COLUMNS, SCHEMA_VERSION, BatchRef, StoreError, VerdictStore


@dataclass
class MergeReport:
    """What a merge did: rows read per source, rows added, rows already in the target."""

    target: str
    sources: list[dict] = field(default_factory=list)  # {"store", "rows", "added", "present", "skipped"}
    added: int = 0
    present: int = 0
    skipped: int = 0  # undo rows whose undone row is missing from their store
    out_of_order: int = 0  # added rows older than the target's latest row on the same claim and reviewer
    total: int = 0  # rows in the target afterwards
    reviewers: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{s['store']}: {s['rows']} rows, {s['added']} added, {s['present']} already there"
                 + (f", {s['skipped']} skipped (undo of a missing row)" if s["skipped"] else "") for s in self.sources]
        lines.append(f"{self.target}: {self.added} rows added, {self.present} already there; now {self.total} rows, "
                     f"{len(self.reviewers)} reviewer(s): {', '.join(self.reviewers)}")
        if self.out_of_order:
            lines.append(f"note: {self.out_of_order} added row(s) are older than the target's later decision on the same "
                         "claim by the same reviewer; the log's order decides the current verdict, so those later "
                         "decisions were overridden. Merge everyone into a new store to keep the order of decisions.")
        return "\n".join(lines)


def row_key(row: dict, undone_key: str | None) -> str:
    """The identity of a log row across stores (its number is local to its store)."""
    fields = [row["reviewer"], row["claim_id"], row["action"], row["verdict"], row["note"] or "",
              row["evidence_url"] or "", row["text_hash"] or "", row["decided_at"], undone_key]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def _keyed(rows: list[dict]) -> tuple[list[tuple[str, dict]], int]:
    """(key, row) for rows in log order; undo rows whose undone row is missing are left out (counted)."""
    by_id: dict[int, str] = {}
    out, skipped = [], 0
    for r in rows:
        undone = None
        if r["action"] == "undo":
            undone = by_id.get(_int(r["undoes"]))
            if undone is None:
                skipped += 1
                continue
        k = row_key(r, undone)
        by_id[_int(r["verdict_id"])] = k
        out.append((k, r))
    return out, skipped


def _int(x) -> int | None:
    try:
        return None if x is None or x != x else int(x)
    except (TypeError, ValueError):
        return None


def _open(src) -> tuple[VerdictStore, bool]:
    """A store to read; (store, opened_here). A file that does not exist is an error, never created."""
    if isinstance(src, VerdictStore):
        return src, False
    s = str(src)
    if "://" not in s and s != ":memory:" and not Path(s).is_file():
        raise StoreError(f"{s}: no such verdict store")
    return VerdictStore(s), True


def _same(a: VerdictStore, b: VerdictStore) -> bool:
    if a is b:
        return True
    pa, pb = getattr(a, "url", a.path), getattr(b, "url", b.path)
    if ":memory:" in (pa, pb) or "://" in pa or "://" in pb:
        return pa == pb and ":memory:" not in (pa, pb)
    try:
        return os.path.samefile(pa, pb)
    except OSError:
        return False


def _values(r: dict, undone, at: dict[str, int]) -> tuple:
    """A source row as :meth:`~factbench.storage.store.VerdictStore.append_log` takes it: an undo points at
    the target's id of the row it undoes, or at that row's place in this batch (``at``: key -> place)."""
    undoes = None
    if undone is not None:
        kind, value = undone
        undoes = BatchRef(at[value]) if kind == "key" else value
    version = _int(r.get("schema_version")) or SCHEMA_VERSION
    return (str(r["claim_id"]), r["text_hash"] or "", r["verdict"], r["action"], undoes, r["note"] or "",
            r["evidence_url"] or "", r["reviewer"], r["decided_at"], version)


def merge(sources, target, *, progress: bool = False) -> MergeReport:
    """Merge the stores ``sources`` (paths, ``postgresql://`` URLs or open stores) into ``target`` (created
    if missing). Returns a :class:`MergeReport`; :func:`~factbench.storage.agreement.agreement` works on the
    result like on any store."""
    from tqdm.auto import tqdm

    tgt, close_target = (target, False) if isinstance(target, VerdictStore) else (VerdictStore(str(target)), True)
    opened = []
    try:
        have, _ = _keyed(tgt.log_rows())
        key_id = {k: _int(r["verdict_id"]) for k, r in have}
        latest_at: dict[tuple, str] = {}
        for _, r in have:
            if r["action"] == "set":
                k = (r["claim_id"], r["reviewer"])
                latest_at[k] = max(latest_at.get(k, ""), r["decided_at"])
        report = MergeReport(target=tgt.path)
        staged: dict[str, tuple] = {}  # key -> (order, row, undone)
        for n, src in enumerate(tqdm(list(sources), desc="reading stores", disable=not progress, unit="store")):
            store, mine = _open(src)
            if mine:
                opened.append(store)
            info = {"store": store.path, "rows": 0, "added": 0, "present": 0, "skipped": 0}
            report.sources.append(info)
            if _same(store, tgt):
                info["rows"] = info["present"] = len(have)
                continue
            rows = store.log_rows()
            keyed, info["skipped"] = _keyed(rows)
            info["rows"] = len(rows)
            by_id = {_int(r["verdict_id"]): k for k, r in keyed}
            clock = ""
            for i, (k, r) in enumerate(keyed):
                clock = max(clock, r["decided_at"])  # a source's own order wins over a skewed clock
                if k in key_id or k in staged:
                    info["present"] += 1
                    continue
                undone, at = None, (clock, n, i)
                if r["action"] == "undo":
                    uk = by_id[_int(r["undoes"])]
                    undone = ("id", key_id[uk]) if uk in key_id else ("key", uk)
                    if uk in staged:  # an undo never goes before the row it undoes
                        at = max(at, staged[uk][0][:2] + (staged[uk][0][2] + 0.5,))
                staged[k] = (at, r, undone)
                info["added"] += 1
        order = sorted(staged.items(), key=lambda kv: kv[1][0])
        report.out_of_order = sum(1 for _, (_, r, _) in order if r["action"] == "set"
                                  and latest_at.get((r["claim_id"], r["reviewer"]), "") > r["decided_at"])
        if order:
            at = {k: n for n, (k, _) in enumerate(order)}
            tgt.append_log([_values(r, undone, at) for _, (_, r, undone) in order],
                           what="the merge was not confirmed (a merge adds all of its rows or none): run it again "
                                "(once the server is back), merging twice adds nothing")
        report.added = len(order)
        report.present = sum(s["present"] for s in report.sources)
        report.skipped = sum(s["skipped"] for s in report.sources)
        report.total = len(tgt.log_rows())
        report.reviewers = tgt.reviewers()
        return report
    finally:
        for s in opened:
            s.close()
        if close_target:
            tgt.close()


__all__ = ["merge", "MergeReport", "row_key", "COLUMNS"]
