"""The verdict store in PostgreSQL, for a team reviewing on several machines.

``fb.VerdictStore("postgresql://user@host:5432/newsroom")`` returns a :class:`PostgresVerdictStore` (still a
:class:`~factbench.storage.store.VerdictStore`) with the SQLite store's API and promises:

- the log is append-only and the *server* enforces it: triggers refuse UPDATE, DELETE and TRUNCATE of
  ``verdicts``, whoever connects;
- undo is a row naming the row it undoes; the current verdict is computed from the log
  (:func:`~factbench.storage.store.current_verdicts`), so both stores give the same answers;
- many writers at once (identity ids, one short transaction per decision; an undo takes a per-reviewer
  advisory lock, so two sessions never undo the same row);
- every wait is bounded (``timeout`` seconds to connect, to get a lock, for a write), and a server that is
  away gives a :class:`~factbench.storage.store.StoreError` naming the server and saying the verdict was not
  saved; the next call reconnects, so a review session carries on once the server is back;
- a verdict is acknowledged (``record`` returns its id) only after PostgreSQL committed it.

The first connection creates the tables (it needs CREATE on the schema; later users only need SELECT and
INSERT). Tables live in the URL's database and search path (``?options=-csearch_path%3Dfactcheck`` picks a
schema). Needs psycopg 3: ``pip install 'factbench[postgres]'``.
"""

from __future__ import annotations

import math
import re
import threading

import pandas as pd

from .store import (APPLICATION_ID, COLUMNS, SCHEMA_VERSION, BatchRef, StoreError, VerdictStore, _active_rows,
                    _check_text, _now, current_verdicts, decision_rows, resolve_undoes)

URL_PREFIXES = ("postgresql://", "postgres://")

_SCHEMA = f"""
CREATE TABLE factbench_store (
    application_id INTEGER NOT NULL,
    schema_version INTEGER NOT NULL
);
CREATE TABLE verdicts (
    verdict_id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    claim_id       TEXT NOT NULL,
    text_hash      TEXT NOT NULL DEFAULT '',
    verdict        TEXT CHECK (verdict IN ('supported', 'contradicted', 'unsourced', 'skip', 'dismissed') OR verdict IS NULL),
    action         TEXT NOT NULL CHECK (action IN ('set', 'undo')),
    undoes         BIGINT REFERENCES verdicts(verdict_id),
    note           TEXT NOT NULL DEFAULT '',
    evidence_url   TEXT NOT NULL DEFAULT '',
    reviewer       TEXT NOT NULL,
    decided_at     TEXT NOT NULL,
    schema_version INTEGER NOT NULL DEFAULT {SCHEMA_VERSION}
);
CREATE INDEX verdicts_claim ON verdicts (claim_id);
CREATE INDEX verdicts_reviewer ON verdicts (reviewer, verdict_id);
CREATE OR REPLACE FUNCTION factbench_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the verdict log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER verdicts_no_update_or_delete BEFORE UPDATE OR DELETE ON verdicts
    FOR EACH ROW EXECUTE FUNCTION factbench_append_only();
CREATE TRIGGER verdicts_no_truncate BEFORE TRUNCATE ON verdicts
    FOR EACH STATEMENT EXECUTE FUNCTION factbench_append_only();
INSERT INTO factbench_store (application_id, schema_version) VALUES ({APPLICATION_ID}, {SCHEMA_VERSION});
"""

_INSERT = ("INSERT INTO verdicts (claim_id, text_hash, verdict, action, undoes, note, evidence_url, reviewer, "
           "decided_at, schema_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING verdict_id")


def is_postgres_url(path) -> bool:
    """``postgresql://…`` or ``postgres://…`` (the two schemes libpq accepts).

    >>> is_postgres_url("postgresql://ana@db.example.org/newsroom"), is_postgres_url("reviews.db")
    (True, False)
    """
    return isinstance(path, str) and path.strip().lower().startswith(URL_PREFIXES)


def is_url(path: str) -> bool:
    """Starts with a URL scheme (``name://``), so it is no file path.

    >>> is_url("mysql://db/x"), is_url("notes/a://b.db")
    (True, False)
    """
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", path.strip()) is not None


def redact(url: str) -> str:
    """The URL without its password, for messages.

    >>> redact("postgresql://ana:s3cret@db:5432/newsroom")
    'postgresql://ana:***@db:5432/newsroom'
    """
    url = re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", url)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", url)


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError("a PostgreSQL verdict store needs psycopg 3: pip install 'factbench[postgres]'") from None
    return psycopg


def _reason(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 300 else text[:299] + "…"


class PostgresVerdictStore(VerdictStore):
    """Reviewers' verdicts in a PostgreSQL database; make one with ``fb.VerdictStore("postgresql://…")``.

    ``timeout``: the longest wait, in seconds, to connect, to get a lock, or for one write.
    """

    def __init__(self, path: str, *, timeout: float = 10.0):
        psycopg = _psycopg()
        self.url = str(path).strip()
        self.path = redact(self.url)
        self.in_memory = False
        self.timeout = float(timeout)
        self._lock = threading.RLock()
        self._db = None
        self._in_doubt: list[tuple] | None = None  # rows whose commit went unanswered
        try:
            self._params = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: not a usable PostgreSQL URL ({_reason(e)})") from None
        seconds = max(1, math.ceil(self.timeout))
        for key, value in (("connect_timeout", seconds), ("application_name", "factbench"),
                           ("keepalives", 1), ("keepalives_idle", 10), ("keepalives_interval", 5),
                           ("keepalives_count", 3), ("tcp_user_timeout", seconds * 1000)):
            self._params.setdefault(key, value)
        self._run("could not open the store", self._check_and_init)

    # ------------------------------------------------------------------ connection
    def _connect(self):
        psycopg = _psycopg()
        conn = psycopg.connect(**self._params, autocommit=True)
        ms = int(self.timeout * 1000)
        conn.execute(f"SET lock_timeout = {ms}")
        conn.execute("SET idle_in_transaction_session_timeout = %d" % max(ms * 4, 60000))
        return conn

    def _conn(self):
        db = self._db
        if db is None or db.closed or db.broken:
            if db is not None:
                db.close()
            self._db = None
            self._db = self._connect()
        return self._db

    def _run(self, what: str, fn, *args):
        """Run ``fn(conn, *args)`` on a live connection; turn the server's absence into a StoreError."""
        psycopg = _psycopg()
        with self._lock:
            try:
                conn = self._conn()
            except psycopg.OperationalError as e:
                raise StoreError(f"{self.path}: cannot reach the PostgreSQL server ({_reason(e)}); {what}") from None
            try:
                return fn(conn, *args)
            except (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled) as e:
                raise StoreError(f"{self.path}: gave up after waiting {self.timeout:g} s ({_reason(e)}); "
                                 f"{what}") from None
            except psycopg.OperationalError as e:
                self._db = None
                conn.close()
                if self._in_doubt:
                    what = ("the server went away while committing, so it may or may not be saved: do it again "
                            "once the server is back (this store will not record it twice)")
                raise StoreError(f"{self.path}: lost the PostgreSQL server ({_reason(e)}); {what} "
                                 "(the store reconnects on the next call)") from None

    def _check_and_init(self, conn) -> None:
        with conn.transaction():
            # one creator at a time: two reviewers opening a new database at once both succeed
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (APPLICATION_ID,))
            meta, table = conn.execute("SELECT to_regclass('factbench_store'), to_regclass('verdicts')").fetchone()
            if meta is None:
                if table is not None:
                    raise StoreError(f"{self.path}: has a table 'verdicts' of another program, not a factbench "
                                     "verdict store; left untouched")
                conn.execute(_SCHEMA)
                return
            row = conn.execute("SELECT application_id, schema_version FROM factbench_store").fetchone()
            if row is None or row[0] != APPLICATION_ID:
                raise StoreError(f"{self.path}: a table 'factbench_store' of another program; left untouched")
            if row[1] > SCHEMA_VERSION:
                raise StoreError(f"{self.path}: written by a newer factbench (store schema {row[1]}, this version "
                                 f"reads {SCHEMA_VERSION}); upgrade factbench, the database is left untouched")
            if table is None:
                raise StoreError(f"{self.path}: verdict store is damaged (its 'verdicts' table is missing); "
                                 "left untouched")

    # ------------------------------------------------------------------ writing
    def _transaction(self, conn, rows: list[tuple], body):
        """Run ``body()`` in one transaction. If the server goes away while committing, the outcome is
        unknown: remember ``rows``, so that the same write tried again is looked up, not doubled."""
        committing = False
        try:
            with conn.transaction():
                conn.execute(f"SET LOCAL statement_timeout = {int(self.timeout * 1000)}")
                out = body()
                committing = True
            return out
        except _psycopg().OperationalError:
            if committing:
                self._in_doubt = rows
            raise

    def _committed(self, conn, rows: list[tuple]) -> list[int] | None:
        """The ids of ``rows`` if a commit whose answer was lost did go through, else None."""
        claim_id, _th, _v, action, _u, _n, _e, reviewer, decided_at = rows[0]
        found = conn.execute("SELECT verdict_id, claim_id FROM verdicts WHERE reviewer = %s AND decided_at = %s "
                             "AND action = %s ORDER BY verdict_id", (reviewer, decided_at, action)).fetchall()
        if [c for _, c in found] == [r[0] for r in rows]:
            return [i for i, _ in found]
        return None

    def _settle(self, conn, rows: list[tuple]) -> list[int] | None:
        """Before a write: if it repeats the write left in doubt (same rows but for the time), the ids it
        got when it did commit; the doubt is cleared either way."""
        doubt, self._in_doubt = self._in_doubt, None
        if doubt is None or len(doubt) != len(rows) or \
                [r[:8] for r in doubt] != [r[:8] for r in rows]:
            return None
        return self._committed(conn, doubt)

    def _insert(self, conn, rows: list[tuple]) -> list[int]:
        done = self._settle(conn, rows)
        if done is not None:
            return done

        def body():
            with conn.cursor() as cur:
                ids = []
                for r in rows:
                    cur.execute(_INSERT, (*r, SCHEMA_VERSION))
                    ids.append(cur.fetchone()[0])
                return ids

        return self._transaction(conn, rows, body)

    def _append(self, rows: list[tuple]) -> list[int]:
        """Append rows in one transaction; their ids once PostgreSQL has committed them."""
        if not rows:
            return []
        what = "the verdict was NOT saved" if len(rows) == 1 else f"the {len(rows)} verdicts were NOT saved"
        return self._run(what, self._insert, rows)

    def append_log(self, rows: list[tuple], *, what: str = "the rows were not confirmed (they are added all "
                   "or none)") -> list[int]:
        """:meth:`VerdictStore.append_log` on PostgreSQL: inserts sent in batches of 2,000 per round trip
        (an undo whose decision is still in the batch waits for it, so its new id is known)."""

        def go(conn):
            ids: list[int] = []

            def body():
                batch: list[tuple] = []
                with conn.cursor() as cur:
                    def flush():
                        if not batch:
                            return
                        cur.executemany(_INSERT, batch, returning=True)
                        for n in range(len(batch)):
                            if n:
                                cur.nextset()
                            ids.append(cur.fetchone()[0])
                        batch.clear()

                    for r in rows:
                        r = tuple(r)
                        if isinstance(r[4], BatchRef) and r[4] >= len(ids):
                            flush()
                        batch.append(resolve_undoes(r, ids))
                        if len(batch) >= 2000:
                            flush()
                    flush()

            try:
                self._transaction(conn, [], body)
            finally:
                self._in_doubt = None  # a batch is not looked up again by content (merging is idempotent)
            return ids

        return self._run(what, go)

    def record_many(self, claim_ids: list[str], verdict: str, *, reviewer: str, note: str = "",
                    evidence_url: str = "", texts: list[str] | None = None) -> list[int]:
        """The same decision on several claims, one row each, in one transaction."""
        return self._append(decision_rows(claim_ids, verdict, reviewer=reviewer, note=note,
                                          evidence_url=evidence_url, texts=texts))

    def _undo(self, conn, reviewer: str, claim_id: str | None) -> str | None:
        doubt = self._in_doubt
        if doubt is not None and doubt[0][3] == "undo" and doubt[0][7] == reviewer \
                and claim_id in (None, doubt[0][0]):
            # the same undo again after its answer was lost: undo once, not twice
            self._in_doubt = None
            if self._committed(conn, doubt) is not None:
                return doubt[0][0]
        self._in_doubt = None
        state = {}

        def body():
            # a reviewer's undos one at a time, so two sessions never undo the same row
            conn.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (APPLICATION_ID, reviewer))
            cands = [r for r in _active_rows(self._select(conn, "WHERE reviewer = %s", (reviewer,)))
                     if claim_id is None or r["claim_id"] == claim_id]
            if not cands:
                return None
            last = cands[-1]
            row = (last["claim_id"], last["text_hash"], None, "undo", last["verdict_id"], "", "", reviewer, _now())
            state["rows"] = [row]
            conn.execute(_INSERT, (*row, SCHEMA_VERSION))
            return last["claim_id"]

        try:
            return self._transaction(conn, [], body)
        finally:
            if self._in_doubt is not None:
                self._in_doubt = state.get("rows")

    def undo(self, reviewer: str, claim_id: str | None = None) -> str | None:
        """Undo the reviewer's latest active decision (on ``claim_id`` if given); returns its claim id,
        or None when there is nothing to undo. The undo is itself a row of the log."""
        reviewer = _check_text(reviewer, "a reviewer name", required=True).strip()
        if claim_id is not None:
            claim_id = _check_text(str(claim_id), "claim_id")
        return self._run("the undo was NOT saved", self._undo, reviewer, claim_id)

    # ------------------------------------------------------------------ reading
    @staticmethod
    def _select(conn, where: str = "", params: tuple = ()) -> list[dict]:
        cur = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM verdicts {where} ORDER BY verdict_id", params)
        return [dict(zip(COLUMNS, r)) for r in cur]

    def _rows(self, where: str = "", params: tuple = ()) -> list[dict]:
        return self._run("could not read the verdicts", self._select, where, params)

    def to_frame(self) -> pd.DataFrame:
        """The whole log, one row per decision or undo, oldest first."""
        return pd.DataFrame(self._rows(), columns=COLUMNS)

    def history(self, claim_id: str) -> pd.DataFrame:
        """Every row about one claim, oldest first."""
        return pd.DataFrame(self._rows("WHERE claim_id = %s", (claim_id,)), columns=COLUMNS)

    def current(self, reviewer: str) -> dict[str, str]:
        """claim_id → current verdict of one reviewer."""
        return {r["claim_id"]: r["verdict"] for r in current_verdicts(self._rows("WHERE reviewer = %s", (reviewer,)))}

    def latest(self) -> pd.DataFrame:
        """The current verdict of every claim and reviewer (undone decisions left out)."""
        return pd.DataFrame(current_verdicts(self._rows()), columns=COLUMNS)

    def reviewers(self) -> list[str]:
        return self._run("could not read the reviewers", lambda conn: [
            r[0] for r in conn.execute("SELECT DISTINCT reviewer FROM verdicts ORDER BY reviewer")])

    def count(self) -> int:
        return self._run("could not count the verdicts",
                         lambda conn: conn.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
            self._db = None

    def __repr__(self) -> str:
        try:
            n = f"{self.count()} rows"
        except StoreError:
            n = "server not answering"
        return f"<VerdictStore {self.path!r}: {n}>"
