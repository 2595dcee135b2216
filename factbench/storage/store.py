"""The verdict store: an append-only log of reviewers' decisions in SQLite.

Every decision is a row; undo appends a row that names the row it undoes. The current verdict of a
claim for a reviewer is the latest of their decisions on it that no undo names.

What the store guarantees (a second backend must give the same):

- **Append-only.** Rows are inserted, never changed or deleted: triggers refuse UPDATE and DELETE.
- **Durable.** WAL journaling with ``synchronous=FULL``: a verdict is on disk when :meth:`record`
  returns, a crash or kill loses nothing acknowledged, and several processes can use one file at once
  (readers never wait for writers).
- **One transaction per call, rolled back on any error.** Every write runs in ``BEGIN IMMEDIATE``; a
  failure inside it rolls back before the error is raised, so the store is never left holding the
  write lock. Values are checked first (verdict name, reviewer, text types, characters UTF-8 can
  hold), so bad input fails with a clear ``ValueError`` and writes nothing.
- **Race-free undo.** Finding "the latest decision not yet undone" and appending its undo happen in
  one write transaction: two kernels pressing undo at once undo two different decisions.
- **Bounded wait.** A write waits at most ``timeout`` seconds (default 10) for another writer, then
  raises :class:`StoreError`; so do a read-only store and a full disk. Nothing is half-written.
- **Atomic creation.** Tables, indexes, triggers, ``application_id`` and ``user_version`` are made in
  one transaction; a file holding our application id or only our tables (a store whose creation was
  interrupted by an older version) is finished, an SQLite file of another program is refused and left
  untouched, as is a store written by a newer schema.
- **Indexed reads.** ``verdicts_current`` holds the current decision of each (reviewer, claim); triggers
  keep it in the transaction of every insert (an index of the log, rebuilt from the log for a store
  made before it existed), so :meth:`current` and :meth:`latest` read one row per claim. :meth:`undo`
  walks the reviewer's rows from the newest through the (reviewer, row) index, skipping undone ones
  through the index on ``undoes``. Neither reads the whole log.

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
import re
import sqlite3
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

VERDICTS = ("supported", "contradicted", "unsourced", "skip")
#: decisions about a discrepancy flag (its ``flag_id`` in the claim_id column), not about a claim
FLAG_VERDICTS = ("dismissed",)
SCHEMA_VERSION = 1
APPLICATION_ID = 0x46424E43  # "FBNC": marks a factbench store
DEFAULT_TIMEOUT = 10.0  # seconds a write waits for another writer before StoreError

#: the statements that make a store, each idempotent; run in one transaction
_SCHEMA = [
    f"""CREATE TABLE IF NOT EXISTS verdicts (
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
)""",
    "CREATE INDEX IF NOT EXISTS verdicts_claim ON verdicts (claim_id)",
    "CREATE INDEX IF NOT EXISTS verdicts_reviewer ON verdicts (reviewer, verdict_id)",
    "CREATE INDEX IF NOT EXISTS verdicts_undoes ON verdicts (undoes) WHERE undoes IS NOT NULL",
    """CREATE TRIGGER IF NOT EXISTS verdicts_no_update BEFORE UPDATE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS verdicts_no_delete BEFORE DELETE ON verdicts
    BEGIN SELECT RAISE(ABORT, 'the verdict log is append-only'); END""",
    # the current decision of each (reviewer, claim): an index of the log, kept by triggers in the
    # transaction of each insert, so current() reads one row per claim instead of the whole log
    """CREATE TABLE IF NOT EXISTS verdicts_current (
    reviewer   TEXT NOT NULL,
    claim_id   TEXT NOT NULL,
    verdict_id INTEGER NOT NULL REFERENCES verdicts(verdict_id),
    PRIMARY KEY (reviewer, claim_id)
) WITHOUT ROWID""",
    """CREATE TRIGGER IF NOT EXISTS verdicts_current_set AFTER INSERT ON verdicts WHEN NEW.action = 'set'
    BEGIN INSERT OR REPLACE INTO verdicts_current VALUES (NEW.reviewer, NEW.claim_id, NEW.verdict_id); END""",
    f"""CREATE TRIGGER IF NOT EXISTS verdicts_current_undo AFTER INSERT ON verdicts WHEN NEW.action = 'undo'
    BEGIN
        DELETE FROM verdicts_current WHERE reviewer = NEW.reviewer AND claim_id = NEW.claim_id;
        INSERT INTO verdicts_current SELECT v.reviewer, v.claim_id, MAX(v.verdict_id) FROM verdicts v
            WHERE v.claim_id = NEW.claim_id AND +v.reviewer = NEW.reviewer AND {{active}}
            GROUP BY v.reviewer, v.claim_id;
    END""",
]
_OBJECTS = {"verdicts", "verdicts_claim", "verdicts_reviewer", "verdicts_undoes",
            "verdicts_no_update", "verdicts_no_delete", "verdicts_current", "verdicts_current_set",
            "verdicts_current_undo"}

COLUMNS = ["verdict_id", "claim_id", "text_hash", "verdict", "action", "undoes", "note", "evidence_url",
           "reviewer", "decided_at", "schema_version"]

#: a decision that no undo names
_ACTIVE = "v.action = 'set' AND NOT EXISTS (SELECT 1 FROM verdicts u WHERE u.undoes = v.verdict_id)"
_SCHEMA = [stmt.replace("{active}", _ACTIVE) for stmt in _SCHEMA]
#: fills verdicts_current from the log (a store made before the table existed)
_BACKFILL = (f"INSERT OR REPLACE INTO verdicts_current SELECT v.reviewer, v.claim_id, MAX(v.verdict_id) FROM verdicts v "
             f"WHERE {_ACTIVE} GROUP BY v.reviewer, v.claim_id")


class BatchRef(int):
    """In :meth:`VerdictStore.append_log`: the ``undoes`` of an undo whose decision is the n-th row
    (from 0) of the same batch, whose id is not known before it is written.

    >>> BatchRef(2)
    BatchRef(2)
    """

    def __repr__(self) -> str:
        return f"BatchRef({int(self)})"


def resolve_undoes(row: tuple, ids: list[int]) -> tuple:
    """``row`` (the columns :meth:`VerdictStore.append_log` takes) with a :class:`BatchRef` in ``undoes``
    replaced by the id the batch's row got (``ids``: the batch's ids so far)."""
    if isinstance(row[4], BatchRef):
        if row[4] >= len(ids):
            raise ValueError(f"an undo may only point at an earlier row of its batch, not at row {int(row[4])}")
        row = (*row[:4], ids[row[4]], *row[5:])
    return row


class StoreError(RuntimeError):
    """The verdict store cannot be used or written: not ours, damaged, newer, busy, read-only or full.
    The message names the file and the problem; nothing was written."""


class StoreBusy(StoreError):
    """Another connection held the lock for longer than the store's ``timeout``."""


def decision_rows(claim_ids, verdict: str, *, reviewer: str, note: str = "", evidence_url: str = "",
                  texts=None) -> list[tuple]:
    """The log rows (claim_id, text_hash, verdict, "set", undoes, note, evidence_url, reviewer,
    decided_at) of one decision on several claims, every value checked before anything is written;
    every backend appends these.

    >>> decision_rows(["c1"], "supported", reviewer=" ana ")[0][:4] + decision_rows(["c1"], "supported", reviewer="ana")[0][5:8]
    ('c1', '', 'supported', 'set', '', '', 'ana')
    """
    if not isinstance(verdict, str) or verdict not in VERDICTS + FLAG_VERDICTS:
        raise ValueError(f"verdict must be one of {', '.join(VERDICTS + FLAG_VERDICTS)}, not {verdict!r}")
    reviewer = _check_text(reviewer, "a reviewer name", required=True).strip()
    note = _check_text(note, "note")
    evidence_url = _check_text(evidence_url, "evidence_url")
    claim_ids = [_check_text(c if isinstance(c, str) else str(c), "claim_id", required=True) for c in claim_ids]
    texts = list(texts) if texts is not None else [""] * len(claim_ids)
    if len(texts) != len(claim_ids):
        raise ValueError(f"{len(claim_ids)} claim ids but {len(texts)} texts")
    hashes = [text_hash(_check_text(t, "claim text")) if t else "" for t in texts]
    now = _now()
    return [(c, h, verdict, "set", None, note, evidence_url, reviewer, now) for c, h in zip(claim_ids, hashes)]


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


def _check_text(value, what: str, *, required: bool = False) -> str:
    """A text field as it will be stored; ValueError naming the field when it cannot be.

    >>> _check_text(None, "note")
    ''
    >>> _check_text("ok\\ud800", "note")
    Traceback (most recent call last):
    ...
    ValueError: note: character U+D800 at position 2 cannot be stored (a lone surrogate, not text)
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__} ({value!r:.60})")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{what}: character U+{ord(value[e.start]):04X} at position {e.start} cannot be stored "
                         "(a lone surrogate, not text)") from None
    if "\x00" in value:  # PostgreSQL cannot store it: refused in every backend, so stores stay mergeable
        raise ValueError(f"{what}: a NUL character cannot be stored")
    if required and not value.strip():
        raise ValueError(f"a verdict needs {what}")
    return value


_URL_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def check_store_path(path: str | os.PathLike) -> Path:
    """The file path of a store, checked before anything is created: a URL, a missing folder, a folder
    in place of the file, or a path under a regular file raise :class:`StoreError`.

    >>> check_store_path("postgresql://ana@db/reviews")
    Traceback (most recent call last):
    ...
    factbench.storage.store.StoreError: postgresql://ana@db/reviews: a URL, not a file path; a verdict store here is an SQLite file such as reviews.db
    """
    s = os.fspath(path)
    if isinstance(s, bytes):
        s = os.fsdecode(s)
    if _URL_SCHEME.match(s):
        raise StoreError(f"{s}: a URL, not a file path; a verdict store here is an SQLite file such as reviews.db")
    if not s.strip():
        raise StoreError("no verdict store path given (an SQLite file such as reviews.db)")
    p = Path(s)
    if p.is_dir():
        raise StoreError(f"{p}: is a folder, not a verdict store file")
    parent = p.parent
    for up in (parent, *parent.parents):
        if up.exists():
            if not up.is_dir():
                raise StoreError(f"{p}: {up} is a file, not a folder")
            break
    if not parent.is_dir():
        raise StoreError(f"{p}: the folder {parent} does not exist; create it first")
    return p


class VerdictStore:
    """Reviewers' verdicts in an SQLite file (``":memory:"`` for tests and throwaway sessions), or in
    PostgreSQL for a team: ``VerdictStore("postgresql://…")`` (see :mod:`factbench.storage.postgres`).

    ``timeout``: seconds a write waits for another process's write before raising :class:`StoreError`.
    """

    def __new__(cls, path: str | os.PathLike = "reviews.db", *args, **kwargs):
        # a database URL goes to its backend and is never taken for a file path
        if cls is VerdictStore and isinstance(path, str) and "://" in path:
            from .postgres import PostgresVerdictStore, is_postgres_url, is_url

            if not is_url(path):
                return super().__new__(cls)
            if not is_postgres_url(path):
                raise StoreError(f"{path}: a URL, not a file path; a verdict store is an SQLite file such as "
                                 "reviews.db, or a PostgreSQL database (postgresql://…)")
            return super().__new__(PostgresVerdictStore)
        return super().__new__(cls)

    def __init__(self, path: str | os.PathLike = "reviews.db", *, timeout: float = DEFAULT_TIMEOUT):
        self.path = os.fsdecode(os.fspath(path)) if not isinstance(path, str) else path
        self.timeout = float(timeout)
        self.in_memory = self.path == ":memory:"
        self._lock = threading.RLock()
        if self.in_memory and _interactive():
            warnings.warn("VerdictStore(':memory:') keeps verdicts only until the kernel stops; "
                          "pass a file path, e.g. VerdictStore('reviews.db'), to keep them", stacklevel=2)
        if not self.in_memory:
            p = check_store_path(self.path)
            if p.exists() and p.stat().st_size:
                with open(p, "rb") as fh:
                    if fh.read(16) != b"SQLite format 3\x00":
                        raise StoreError(f"{p}: not a factbench verdict store (not an SQLite file); left untouched")
        self._db = None
        try:
            self._db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None,
                                       check_same_thread=False)
            self._init_within_timeout()
        except StoreError:
            self._close_quietly()
            raise
        except sqlite3.Error as e:
            self._close_quietly()
            raise self._error(e, "open") from None

    def _init_within_timeout(self) -> None:
        """Check and finish the store; retried while another connection is creating it at the same moment.

        Some of SQLite's locks during a store's creation (the switch to WAL, the first read of a new WAL)
        answer "busy" at once instead of waiting, so opening retries until ``timeout`` has passed."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return self._check_and_init()
            except (StoreBusy, sqlite3.OperationalError) as e:
                busy = isinstance(e, StoreBusy) or isinstance(self._error(e, "open"), StoreBusy)
                if not busy or time.monotonic() >= deadline:
                    raise
                time.sleep(0.02)

    def _close_quietly(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass

    def _error(self, e: sqlite3.Error, doing: str) -> StoreError:
        """A clear StoreError for an SQLite error."""
        msg = str(e)
        name = getattr(e, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in msg or "busy" in msg:
            return StoreBusy(f"{self.path}: another process has held the write lock for more than "
                             f"{self.timeout:g} s; nothing was written, try again (or open the store with a "
                             "longer timeout=)")
        elif name.startswith("SQLITE_READONLY") or "readonly" in msg or "read-only" in msg:
            what = "the store is read-only (file or folder permissions, or a read-only disk); nothing was written"
        elif name.startswith("SQLITE_FULL") or "disk is full" in msg or "full" in msg:
            what = "the disk is full; nothing was written, earlier verdicts are kept"
        elif name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in msg or "not a database" in msg:
            what = f"unreadable verdict store ({msg}); left untouched"
        elif name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_IOERR")):
            what = f"cannot {doing} the verdict store ({msg})"
        else:
            what = f"cannot {doing} the verdict store ({msg})"
        return StoreError(f"{self.path}: {what}")

    @contextmanager
    def _write(self):
        """One BEGIN IMMEDIATE transaction; rolled back on any error, SQLite errors as StoreError."""
        with self._lock:
            db = self._db
            if db.in_transaction:  # never left open by us; be safe with a connection used by hand
                db.execute("ROLLBACK")
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as e:
                raise self._error(e, "write to") from None
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as e:
                if db.in_transaction:
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                if isinstance(e, sqlite3.Error):
                    raise self._error(e, "write to") from None
                raise

    def _state(self) -> tuple[int, int, set[str]]:
        db = self._db
        app = db.execute("PRAGMA application_id").fetchone()[0]
        version = db.execute("PRAGMA user_version").fetchone()[0]
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
        return app, version, names

    def _refuse(self, app: int, version: int, names: set[str]) -> None:
        foreign = {n for n in names if not n.startswith("sqlite_")} - _OBJECTS
        if app != APPLICATION_ID and (app != 0 or foreign):
            raise StoreError(f"{self.path}: an SQLite file of another program (tables: {', '.join(sorted(names))}), "
                             "not a factbench verdict store; left untouched")
        if app == APPLICATION_ID and version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: written by a newer factbench (store schema {version}, this version "
                             f"reads {SCHEMA_VERSION}); upgrade factbench, the file is left untouched")

    def _check_and_init(self) -> None:
        db = self._db
        app, version, names = self._state()
        self._refuse(app, version, names)
        if not self.in_memory:
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        complete = app == APPLICATION_ID and version == SCHEMA_VERSION and _OBJECTS <= names
        self._indexed = True
        if not complete:
            # one transaction: another process opening at the same moment waits, then finds it done
            try:
                with self._write() as db:
                    app, version, names = self._state()
                    self._refuse(app, version, names)
                    for stmt in _SCHEMA:
                        db.execute(stmt)
                    if "verdicts_current" not in names:
                        db.execute(_BACKFILL)
                    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    if version < SCHEMA_VERSION:
                        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            except StoreError:
                if "verdicts" not in names or app != APPLICATION_ID:
                    raise
                # a store of an earlier version on a read-only disk: readable, without the current index
                self._indexed = "verdicts_current" in names
        else:
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
            if ok != "ok":
                raise StoreError(f"{self.path}: verdict store is damaged ({ok}); left untouched")

    # ------------------------------------------------------------------ writing
    _INSERT = ("INSERT INTO verdicts (claim_id, text_hash, verdict, action, undoes, note, evidence_url, "
               "reviewer, decided_at, schema_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")

    def _check_flag_verdicts(self) -> None:
        """A store made before flags could be dismissed refuses 'dismissed' in its CHECK constraint."""
        sql = (self._db.execute("SELECT sql FROM sqlite_master WHERE name = 'verdicts'").fetchone() or ("",))[0]
        if "'dismissed'" not in sql:
            raise StoreError(f"{self.path}: this store was made before flags could be dismissed; "
                             "use a new store file for dismissals")

    def record(self, claim_id: str, verdict: str, *, reviewer: str, note: str = "", evidence_url: str = "",
               text: str = "") -> int:
        """Append one decision; returns its verdict_id."""
        return self.record_many([claim_id], verdict, reviewer=reviewer, note=note, evidence_url=evidence_url,
                                texts=[text])[0]

    def record_many(self, claim_ids: list[str], verdict: str, *, reviewer: str, note: str = "",
                    evidence_url: str = "", texts: list[str] | None = None) -> list[int]:
        """The same decision on several claims, one row each, in one transaction."""
        if verdict in FLAG_VERDICTS:
            self._check_flag_verdicts()
        rows = [r + (SCHEMA_VERSION,) for r in decision_rows(claim_ids, verdict, reviewer=reviewer, note=note,
                                                              evidence_url=evidence_url, texts=texts)]
        with self._write() as db:
            return [db.execute(self._INSERT, r).lastrowid for r in rows]

    def undo(self, reviewer: str, claim_id: str | None = None) -> str | None:
        """Undo the reviewer's latest active decision (on ``claim_id`` if given); returns its claim id,
        or None when there is nothing to undo. The undo is itself a row of the log; finding the
        decision and appending its undo are one transaction."""
        reviewer = _check_text(reviewer, "a reviewer name", required=True).strip()
        where, params = "v.reviewer = ?", [reviewer]
        if claim_id is not None:
            # the claim's few rows through its index, not the reviewer's many (+ keeps the planner off it)
            where, params = "v.claim_id = ? AND +v.reviewer = ?", [_check_text(str(claim_id), "claim_id"), reviewer]
        with self._write() as db:
            last = db.execute(f"SELECT v.verdict_id, v.claim_id, v.text_hash FROM verdicts v WHERE {where} "
                              f"AND {_ACTIVE} ORDER BY v.verdict_id DESC LIMIT 1", params).fetchone()
            if last is None:
                return None
            vid, cid, th = last
            db.execute(self._INSERT, (cid, th, None, "undo", vid, "", "", reviewer, _now(), SCHEMA_VERSION))
        return cid

    def append_log(self, rows: list[tuple], *, what: str = "the rows were NOT added") -> list[int]:
        """Append rows of a verdict log as they are, all in one transaction (all or none): each a tuple
        (claim_id, text_hash, verdict, action, undoes, note, evidence_url, reviewer, decided_at,
        schema_version); an ``undoes`` given as :class:`BatchRef` points at an earlier row of the batch.
        Returns the rows' new ids. This is how :func:`factbench.storage.merge.merge` writes; reviewers'
        decisions go through :meth:`record` and :meth:`undo`. ``what``: the error's end if it fails."""
        ids: list[int] = []
        try:
            with self._write() as db:
                for r in rows:
                    ids.append(db.execute(self._INSERT, resolve_undoes(tuple(r), ids)).lastrowid)
        except StoreError as e:
            raise StoreError(f"{e}; {what}") from None
        return ids

    # ------------------------------------------------------------------ reading
    def log_rows(self) -> list[dict]:
        """The whole log as dicts (keys :data:`COLUMNS`), oldest first: what merging reads."""
        return self._rows()

    def _query(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as e:
                raise self._error(e, "read") from None

    def _rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        cur = self._query(f"SELECT {', '.join(COLUMNS)} FROM verdicts v {where} ORDER BY verdict_id", params)
        return [dict(zip(COLUMNS, r)) for r in cur]

    def to_frame(self) -> pd.DataFrame:
        """The whole log, one row per decision or undo, oldest first."""
        return pd.DataFrame(self._rows(), columns=COLUMNS)

    def history(self, claim_id: str) -> pd.DataFrame:
        """Every row about one claim, oldest first."""
        return pd.DataFrame(self._rows("WHERE claim_id = ?", (claim_id,)), columns=COLUMNS)

    def current(self, reviewer: str) -> dict[str, str]:
        """claim_id → current verdict of one reviewer (in the order they were decided)."""
        if self._indexed:
            rows = self._query("SELECT c.claim_id, v.verdict FROM verdicts_current c JOIN verdicts v "
                               "ON v.verdict_id = c.verdict_id WHERE c.reviewer = ? ORDER BY c.verdict_id",
                               (reviewer,))
            return dict(rows)
        rows = self._query("SELECT claim_id, verdict, MAX(verdict_id) AS last FROM verdicts "
                           "WHERE reviewer = ? AND action = 'set' AND verdict_id NOT IN "
                           "(SELECT undoes FROM verdicts WHERE reviewer = ? AND undoes IS NOT NULL) "
                           "GROUP BY claim_id ORDER BY last", (reviewer, reviewer))
        return {c: v for c, v, _ in rows}

    def latest(self) -> pd.DataFrame:
        """The current verdict of every claim and reviewer (undone decisions left out)."""
        cols = ", ".join(f"v.{c}" for c in COLUMNS)
        if self._indexed:
            rows = self._query(f"SELECT {cols} FROM verdicts_current c JOIN verdicts v ON v.verdict_id = c.verdict_id "
                               "ORDER BY v.verdict_id")
            return pd.DataFrame([dict(zip(COLUMNS, r)) for r in rows], columns=COLUMNS)
        rows = self._query(
            f"SELECT {cols} FROM verdicts v JOIN (SELECT MAX(verdict_id) AS last FROM verdicts WHERE action = 'set' AND verdict_id NOT IN "
            f"(SELECT undoes FROM verdicts WHERE undoes IS NOT NULL) GROUP BY reviewer, claim_id) m ON v.verdict_id = m.last ORDER BY v.verdict_id")
        return pd.DataFrame([dict(zip(COLUMNS, r)) for r in rows], columns=COLUMNS)

    def reviewers(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT reviewer FROM verdicts ORDER BY reviewer")]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        n = self._query("SELECT COUNT(*) FROM verdicts")[0][0]
        return f"<VerdictStore {self.path!r}: {n} rows>"


def _active_rows(rows: list[dict]) -> list[dict]:
    undone = {r["undoes"] for r in rows if r["action"] == "undo"}
    return [r for r in rows if r["action"] == "set" and r["verdict_id"] not in undone]


def current_verdicts(rows: list[dict]) -> list[dict]:
    """The latest active decision per (claim, reviewer), from log rows in order (the rule
    :meth:`VerdictStore.current` and :meth:`VerdictStore.latest` apply in SQL)."""
    latest: dict[tuple[str, str], dict] = {}
    for r in _active_rows(rows):
        latest[(r["claim_id"], r["reviewer"])] = r
    return sorted(latest.values(), key=lambda r: r["verdict_id"])
