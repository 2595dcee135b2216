"""The verdict store: an append-only log of reviewers' decisions in SQLite.

Every decision is a row; undo appends a row that names the row it undoes. The current verdict of a
claim for a reviewer is a function of the log (:func:`current_verdicts`). Rows can be appended, never
changed or deleted (triggers refuse it). WAL journaling with full sync: a crash loses nothing that was
recorded, and several processes can write to one file at once.

>>> store = VerdictStore(":memory:")
>>> _ = store.record("c1", "supported", reviewer="ana", note="two outlets agree")
>>> _ = store.record("c1", "contradicted", reviewer="ana")
>>> store.current("ana")["c1"]
'contradicted'
>>> store.undo("ana")
'c1'
>>> store.current("ana")["c1"]
'supported'
>>> len(store.to_frame())
3
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

VERDICTS = ("supported", "contradicted", "unsourced", "skip")
#: decisions about a discrepancy flag (its ``flag_id`` in the claim_id column), not about a claim
FLAG_VERDICTS = ("dismissed",)
SCHEMA_VERSION = 1
APPLICATION_ID = 0x46424E43  # "FBNC": marks a factbench store

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS verdicts (
    verdict_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    claim_id       TEXT NOT NULL,
    text_hash      TEXT NOT NULL DEFAULT '',
    verdict        TEXT CHECK (verdict IN ('supported', 'contradicted', 'unsourced', 'skip', 'dismissed') OR verdict IS NULL),
    action         TEXT NOT NULL CHECK (action IN ('set', 'undo')),
    undoes         INTEGER REFERENCES verdicts(verdict_id),
    note           TEXT NOT NULL DEFAULT '',
    evidence_url   TEXT NOT NULL DEFAULT '',
    reviewer       TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    schema_version INTEGER NOT NULL DEFAULT {SCHEMA_VERSION}
);
CREATE INDEX IF NOT EXISTS verdicts_claim ON verdicts (claim_id);
CREATE INDEX IF NOT EXISTS verdicts_reviewer ON verdicts (reviewer, verdict_id);
CREATE TRIGGER IF NOT EXISTS verdicts_no_update BEFORE UPDATE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS verdicts_no_delete BEFORE DELETE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict log is append-only'); END;
"""

COLUMNS = ["verdict_id", "claim_id", "text_hash", "verdict", "action", "undoes", "note", "evidence_url",
           "reviewer", "decided_at", "schema_version"]


class StoreError(RuntimeError):
    """A store file that factbench will not use (not ours, corrupted, or from a newer version)."""


def text_hash(text: str) -> str:
    """The key of a claim's normalised text: a verdict can tell when the text it judged changed."""
    from ..ingest.text import text_key

    return text_key(text)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _interactive() -> bool:
    """Inside a running IPython/Jupyter shell or an interactive interpreter."""
    ipython = sys.modules.get("IPython")
    if ipython is not None and getattr(ipython, "get_ipython", lambda: None)() is not None:
        return True
    return hasattr(sys, "ps1")


class VerdictStore:
    """Reviewers' verdicts in an SQLite file (``":memory:"`` for tests and throwaway sessions)."""

    def __init__(self, path: str | os.PathLike = "reviews.db", *, timeout: float = 30.0):
        self.path = str(path)
        self.in_memory = self.path == ":memory:"
        if self.in_memory and _interactive():
            warnings.warn("VerdictStore(':memory:') keeps verdicts only until the kernel stops; "
                          "pass a file path, e.g. VerdictStore('reviews.db'), to keep them", stacklevel=2)
        if not self.in_memory:
            p = Path(self.path)
            if p.exists() and p.is_dir():
                raise StoreError(f"{p}: is a folder, not a verdict store file")
            if p.exists() and p.stat().st_size:
                with open(p, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError(f"{p}: not a factbench verdict store (not an SQLite file); left untouched")
            p.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self._check_and_init()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: unreadable verdict store ({e}); left untouched") from None

    def _check_and_init(self) -> None:
        db = self._db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables - {"sqlite_sequence"} and app != APPLICATION_ID:
            raise StoreError(f"{self.path}: an SQLite file of another program (tables: {', '.join(sorted(tables))}), "
                             "not a factbench verdict store; left untouched")
        if app == APPLICATION_ID and version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer factbench (store schema {version}, this version "
                             f"reads {SCHEMA_VERSION}); upgrade factbench, the file is left untouched")
        if not self.in_memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        if app != APPLICATION_ID:
            # idempotent (IF NOT EXISTS): two processes creating one store at once both succeed
            db.executescript(_SCHEMA)
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        else:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StoreError(f"{self.path}: verdict store is damaged ({ok}); left untouched")

    # ------------------------------------------------------------------ writing
    def _append(self, rows: list[tuple]) -> list[int]:
        """Append rows in one transaction, retrying while another process holds the lock."""
        for attempt in range(200):
            try:
                self._db.execute("BEGIN IMMEDIATE")
                ids = []
                for r in rows:
                    cur = self._db.execute(
                        "INSERT INTO verdicts (claim_id, text_hash, verdict, action, undoes, note, evidence_url, "
                        "reviewer, decided_at, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*r, SCHEMA_VERSION))
                    ids.append(cur.lastrowid)
                self._db.execute("COMMIT")
                return ids
            except sqlite3.OperationalError as e:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                time.sleep(min(0.05 * (attempt + 1), 0.5))
        raise StoreError(f"{self.path}: could not get the write lock")

    def record(self, claim_id: str, verdict: str, *, reviewer: str, note: str = "", evidence_url: str = "",
               text: str = "") -> int:
        """Append one decision; returns its verdict_id."""
        return self.record_many([claim_id], verdict, reviewer=reviewer, note=note, evidence_url=evidence_url,
                                texts=[text])[0]

    def record_many(self, claim_ids: list[str], verdict: str, *, reviewer: str, note: str = "",
                    evidence_url: str = "", texts: list[str] | None = None) -> list[int]:
        """The same decision on several claims, one row each, in one transaction."""
        if verdict not in VERDICTS + FLAG_VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS + FLAG_VERDICTS)}, not {verdict!r}")
        if verdict in FLAG_VERDICTS and "'dismissed'" not in (self._db.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'verdicts'").fetchone() or ("",))[0]:
            raise StoreError(f"{self.path}: this store was made before flags could be dismissed; "
                             "use a new store file for dismissals")
        if not reviewer or not str(reviewer).strip():
            raise ValueError("a verdict needs a reviewer name")
        texts = texts or [""] * len(claim_ids)
        now = _now()
        return self._append([(str(c), text_hash(t) if t else "", verdict, "set", None, note or "",
                              evidence_url or "", str(reviewer).strip(), now) for c, t in zip(claim_ids, texts)])

    def undo(self, reviewer: str, claim_id: str | None = None) -> str | None:
        """Undo the reviewer's latest active decision (on ``claim_id`` if given); returns its claim id,
        or None when there is nothing to undo. The undo is itself a row of the log."""
        log = self._rows("WHERE reviewer = ?", (reviewer,))
        active = _active_rows(log)
        cands = [r for r in active if claim_id is None or r["claim_id"] == claim_id]
        if not cands:
            return None
        last = cands[-1]
        self._append([(last["claim_id"], last["text_hash"], None, "undo", last["verdict_id"], "", "",
                       reviewer, _now())])
        return last["claim_id"]

    # ------------------------------------------------------------------ reading
    def _rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        cur = self._db.execute(f"SELECT {', '.join(COLUMNS)} FROM verdicts {where} ORDER BY verdict_id", params)
        return [dict(zip(COLUMNS, r)) for r in cur]

    def to_frame(self) -> pd.DataFrame:
        """The whole log, one row per decision or undo, oldest first."""
        return pd.DataFrame(self._rows(), columns=COLUMNS)

    def history(self, claim_id: str) -> pd.DataFrame:
        """Every row about one claim, oldest first."""
        return pd.DataFrame(self._rows("WHERE claim_id = ?", (claim_id,)), columns=COLUMNS)

    def current(self, reviewer: str) -> dict[str, str]:
        """claim_id → current verdict of one reviewer."""
        return {r["claim_id"]: r["verdict"] for r in current_verdicts(self._rows("WHERE reviewer = ?", (reviewer,)))}

    def latest(self) -> pd.DataFrame:
        """The current verdict of every claim and reviewer (undone decisions left out)."""
        rows = current_verdicts(self._rows())
        return pd.DataFrame(rows, columns=COLUMNS)

    def reviewers(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT DISTINCT reviewer FROM verdicts ORDER BY reviewer")]

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        n = self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0]
        return f"<VerdictStore {self.path!r}: {n} rows>"


def _active_rows(rows: list[dict]) -> list[dict]:
    undone = {r["undoes"] for r in rows if r["action"] == "undo"}
    return [r for r in rows if r["action"] == "set" and r["verdict_id"] not in undone]


def current_verdicts(rows: list[dict]) -> list[dict]:
    """The latest active decision per (claim, reviewer), from log rows in order."""
    latest: dict[tuple[str, str], dict] = {}
    for r in _active_rows(rows):
        latest[(r["claim_id"], r["reviewer"])] = r
    return sorted(latest.values(), key=lambda r: r["verdict_id"])
