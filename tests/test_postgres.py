"""The PostgreSQL verdict store against a real, throwaway PostgreSQL server (Debian's postgresql package):
same answers as the SQLite store, the server refusing UPDATE/DELETE, concurrent writers, a killed writer,
the server stopped mid-session. Nothing acknowledged may be lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest

import factbench as fb
from factbench.storage.postgres import PostgresVerdictStore
from factbench.storage.store import StoreError, VerdictStore

from _pgserver import pg_server, pg_url  # noqa: F401  (fixtures)

# a writer process: URL reviewer N [mode]; prints "ok <verdict_id> <i>" for each acknowledged verdict
WRITER = r"""
import sys, time
import factbench as fb
url, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
mode = sys.argv[4] if len(sys.argv) > 4 else ""
store = fb.VerdictStore(url, timeout=5)
i = errors = 0
while i < n:
    try:
        vid = store.record(f"c{i % 97}", "supported" if i % 3 else "contradicted", reviewer=who, note=str(i))
    except fb.StoreError as e:
        errors += 1
        print("err", e, flush=True)
        if errors > 600:
            sys.exit(3)
        time.sleep(0.1)
        continue
    if mode:
        print("ok", vid, i, flush=True)
    i += 1
"""


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(__import__("pathlib").Path(fb.__file__).parents[1]),
                                         env.get("PYTHONPATH", "")])
    return env


def test_a_url_goes_to_postgres_never_to_a_file(pg_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = fb.VerdictStore(pg_url)
    assert isinstance(store, PostgresVerdictStore) and isinstance(store, fb.VerdictStore)
    store.record("c1", "supported", reviewer="ana")
    assert list(tmp_path.iterdir()) == []  # no file or folder named after the URL
    assert type(VerdictStore(str(tmp_path / "x.db"))) is VerdictStore
    with pytest.raises(StoreError, match="mysql://db.example.org/x: a URL, not a file path.*postgresql://"):
        fb.VerdictStore("mysql://db.example.org/x")
    assert "postgres://" in repr(fb.VerdictStore(pg_url.replace("postgresql://", "postgres://")))


def test_same_answers_as_the_sqlite_store(pg_url):
    pg, lite = fb.VerdictStore(pg_url), fb.VerdictStore(":memory:")
    for store in (pg, lite):
        store.record("c1", "supported", reviewer="ana", note="two outlets agree", text="Prices rose 5%.")
        store.record("c1", "contradicted", reviewer="ana")
        store.record_many(["c2", "c3"], "unsourced", reviewer=" bo ", evidence_url="https://example.org")
        store.record("c2", "supported", reviewer="ana")
        assert store.undo("ana") == "c2"
        assert store.undo("ana", claim_id="c1") == "c1"
        assert store.undo("cy") is None
        with pytest.raises(ValueError, match="verdict must be one of"):
            store.record("a", "maybe", reviewer="ana")
        with pytest.raises(ValueError, match="reviewer"):
            store.record("a", "supported", reviewer=" ")
    a, b = pg.to_frame(), lite.to_frame()
    assert list(a.columns) == list(b.columns)
    same = ["verdict_id", "claim_id", "text_hash", "verdict", "action", "undoes", "note", "evidence_url", "reviewer"]
    assert a[same].astype(str).values.tolist() == b[same].astype(str).values.tolist()
    assert pg.current("ana") == lite.current("ana") == {"c1": "supported"}
    assert pg.latest()[same].astype(str).values.tolist() == lite.latest()[same].astype(str).values.tolist()
    assert pg.history("c1")["verdict_id"].tolist() == lite.history("c1")["verdict_id"].tolist()
    assert pg.reviewers() == lite.reviewers() == ["ana", "bo"]
    pd.testing.assert_frame_equal(fb.agreement(pg), fb.agreement(lite))


def test_the_server_refuses_update_delete_and_truncate(pg_url):
    store = fb.VerdictStore(pg_url)
    store.record("a", "supported", reviewer="ana")
    # another client, not factbench: the refusal is the server's
    with psycopg.connect(pg_url, autocommit=True) as conn:
        for sql, op in (("UPDATE verdicts SET verdict = 'contradicted'", "UPDATE"), ("DELETE FROM verdicts", "DELETE"),
                        ("TRUNCATE verdicts", "TRUNCATE")):
            with pytest.raises(psycopg.errors.RaiseException, match=f"append-only \\({op} refused"):
                conn.execute(sql)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute("INSERT INTO verdicts (claim_id, verdict, action, reviewer, decided_at) "
                         "VALUES ('a', 'maybe', 'set', 'x', 'now')")
    assert store.to_frame()["verdict"].tolist() == ["supported"]


def test_foreign_and_newer_databases_are_refused_untouched(pg_server):
    other = pg_server.new_database()
    with psycopg.connect(other, autocommit=True) as conn:
        conn.execute("CREATE TABLE verdicts (id int)")
    with pytest.raises(StoreError, match="another program"):
        fb.VerdictStore(other)
    with psycopg.connect(other) as conn:
        assert conn.execute("SELECT to_regclass('factbench_store')").fetchone()[0] is None
    newer = pg_server.new_database()
    fb.VerdictStore(newer).close()
    with psycopg.connect(newer, autocommit=True) as conn:
        conn.execute("UPDATE factbench_store SET schema_version = 99")
    with pytest.raises(StoreError, match="newer factbench"):
        fb.VerdictStore(newer)


def test_a_server_that_is_away_gives_a_clear_error_quickly(pg_server):
    with socket_closed_port() as port:
        t = time.monotonic()
        with pytest.raises(StoreError, match=r"cannot reach the PostgreSQL server .*could not open the store"):
            fb.VerdictStore(f"postgresql://{pg_server.user}@127.0.0.1:{port}/postgres", timeout=3)
        assert time.monotonic() - t < 10


class socket_closed_port:
    def __enter__(self):
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        return self.port

    def __exit__(self, *exc):
        return False


def test_four_processes_write_1000_each(pg_url):
    fb.VerdictStore(pg_url).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, who, "1000"], env=_env())
             for who in ("ana", "bo", "cy", "di")]
    assert [p.wait(timeout=600) for p in procs] == [0, 0, 0, 0]
    log = fb.VerdictStore(pg_url).to_frame()
    assert len(log) == 4000
    assert log.groupby("reviewer").size().to_dict() == {"ana": 1000, "bo": 1000, "cy": 1000, "di": 1000}
    assert log["verdict_id"].is_unique
    for _, mine in log.groupby("reviewer"):
        assert mine["note"].astype(int).tolist() == list(range(1000))  # each writer's rows, in its order


def test_two_sessions_undoing_at_once_never_undo_the_same_row(pg_url):
    store = fb.VerdictStore(pg_url)
    store.record_many([f"c{i}" for i in range(60)], "supported", reviewer="ana")
    undo = ("import sys, factbench as fb\ns = fb.VerdictStore(sys.argv[1])\n"
            "print(sum(s.undo('ana') is not None for _ in range(25)))")
    procs = [subprocess.Popen([sys.executable, "-c", undo, pg_url], stdout=subprocess.PIPE, text=True, env=_env())
             for _ in range(2)]
    assert [int(p.communicate(timeout=300)[0]) for p in procs] == [25, 25]
    log = store.to_frame()
    undone = log.loc[log["action"] == "undo", "undoes"]
    assert len(undone) == 50 and undone.is_unique
    assert len(store.current("ana")) == 10


def test_killed_writer_loses_nothing_acknowledged(pg_url):
    p = subprocess.Popen([sys.executable, "-c", WRITER, pg_url, "ana", "100000", "print"], stdout=subprocess.PIPE,
                         text=True, env=_env())
    acked = []
    while len(acked) < 200:
        line = p.stdout.readline()
        assert line, "the writer stopped early"
        if line.startswith("ok "):
            acked.append(line.split())
    p.send_signal(signal.SIGKILL)
    rest = p.communicate(timeout=30)[0]
    acked += [line.split() for line in rest.splitlines() if line.startswith("ok ")]
    store = fb.VerdictStore(pg_url)
    log = store.to_frame().set_index("verdict_id")
    assert len(log) >= len(acked)
    for _, vid, i in acked:
        assert log.at[int(vid), "note"] == i
    assert log["note"].astype(int).tolist() == list(range(len(log)))  # every row up to the kill, in order
    store.record("after", "supported", reviewer="ana")  # the store is fine afterwards
    assert store.current("ana")["after"] == "supported"


def test_server_stopped_mid_session_clear_error_and_nothing_acknowledged_lost(pg_server):
    url = pg_server.new_database()
    p = subprocess.Popen([sys.executable, "-c", WRITER, url, "ana", "400", "print"], stdout=subprocess.PIPE,
                         text=True, env=_env())
    lines = []
    try:
        while sum(line.startswith("ok ") for line in lines) < 100:
            line = p.stdout.readline()
            assert line, "the writer stopped early"
            lines.append(line)
        pg_server.stop("immediate")  # as if the machine lost power: no clean shutdown
        while not any(line.startswith("err ") for line in lines):
            line = p.stdout.readline()
            assert line, "the writer stopped without an error"
            lines.append(line)
        time.sleep(1.0)
    finally:
        pg_server.start()
    rest, _ = p.communicate(timeout=300)
    assert p.returncode == 0
    lines += rest.splitlines()
    errors = [line for line in lines if line.startswith("err ")]
    # each error names the server and says whether the verdict was saved (or, when the server died while
    # committing, that it may be and that trying again will not double it)
    assert all("PostgreSQL server" in e and ("NOT saved" in e or "will not record it twice" in e)
               for e in errors), errors[:3]
    acked = [line.split() for line in lines if line.startswith("ok ")]
    assert [int(i) for _, _, i in acked] == list(range(400))
    log = fb.VerdictStore(url).to_frame().set_index("verdict_id")
    for _, vid, i in acked:
        assert log.at[int(vid), "note"] == i
    assert len(log) == 400  # nothing lost, nothing doubled by the retries


def test_one_store_object_survives_a_server_restart(pg_server):
    url = pg_server.new_database()
    store = fb.VerdictStore(url, timeout=3)
    first = store.record("c1", "supported", reviewer="ana")
    pg_server.stop("fast")
    try:
        for _ in range(2):  # the broken connection, then a refused reconnect: both clear and quick
            t = time.monotonic()
            with pytest.raises(StoreError, match="PostgreSQL server.*the verdict was NOT saved"):
                store.record("c2", "supported", reviewer="ana")
            assert time.monotonic() - t < 10
        with pytest.raises(StoreError, match="could not read the verdicts"):
            store.current("ana")
        assert "server not answering" in repr(store)
    finally:
        pg_server.start()
    second = store.record("c2", "contradicted", reviewer="ana")
    assert second > first
    assert store.current("ana") == {"c1": "supported", "c2": "contradicted"}


def test_the_panel_keeps_an_unsaved_verdict(pg_server, corpus):
    url = pg_server.new_database()
    panel = fb.ReviewPanel(corpus, store=fb.VerdictStore(url, timeout=3), reviewer="ana", min_dwell=0)
    first = panel.session.current_id
    panel.note.value = "checked the ministry's release"
    pg_server.stop("fast")
    try:
        panel.decide("contradicted")
        # the panel says so, naming the server; the reviewer's work is still on screen, nothing claims it saved
        assert "NOT SAVED" in panel.status.value and "PostgreSQL server" in panel.status.value
        assert panel.note.value == "checked the ministry's release"
        assert panel.session.current_id == first
        assert first not in panel.session.verdicts
    finally:
        pg_server.start()
    panel.decide("contradicted")  # the same click again, once the server is back
    assert fb.VerdictStore(url).current("ana") == {first: "contradicted"}
    assert fb.VerdictStore(url).history(first)["note"].tolist() == ["checked the ministry's release"]


def test_a_commit_whose_answer_was_lost_is_not_doubled_when_tried_again(pg_url, monkeypatch):
    store = fb.VerdictStore(pg_url)
    store.record("c0", "supported", reviewer="ana")
    real = PostgresVerdictStore._transaction

    def answer_lost(self, conn, rows, body):  # the server commits, then its answer never arrives
        real(self, conn, rows, body)
        self._in_doubt = rows
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(PostgresVerdictStore, "_transaction", answer_lost)
    with pytest.raises(StoreError, match="may or may not be saved.*will not record it twice"):
        store.record("c1", "contradicted", reviewer="ana", note="n")
    with pytest.raises(StoreError, match="may or may not be saved"):
        store.undo("ana")
    monkeypatch.setattr(PostgresVerdictStore, "_transaction", real)
    assert store.undo("ana") == "c1"  # the same undo again: found committed, not a second undo
    log = store.to_frame()
    assert log["action"].tolist() == ["set", "set", "undo"]
    assert store.current("ana") == {"c0": "supported"}
    monkeypatch.setattr(PostgresVerdictStore, "_transaction", answer_lost)
    with pytest.raises(StoreError):
        store.record("c2", "unsourced", reviewer="ana", note="n")
    monkeypatch.setattr(PostgresVerdictStore, "_transaction", real)
    first = store.to_frame()["verdict_id"].iloc[-1]
    assert store.record("c2", "unsourced", reviewer="ana", note="n") == first  # found, not doubled
    assert store.record("c2", "unsourced", reviewer="ana", note="n") > first  # a new decision is a new row
    assert len(store.to_frame()) == 5


def test_export_reads_a_postgres_store(pg_url, corpus, tmp_path):
    from factbench.cli import main

    claim = corpus.claims["claim_id"].iloc[0]
    fb.VerdictStore(pg_url).record(claim, "supported", reviewer="ana", note="seen in the release")
    out = tmp_path / "verdicts.csv"
    sample = Path(__file__).resolve().parents[1] / "sample_data"
    assert main(["export", pg_url, "--corpus", str(sample), "-o", str(out)]) == 0
    table = pd.read_csv(out, comment="#")
    row = table[table["claim_id"] == claim]
    assert row["verdict"].tolist() == ["supported"] and row["reviewer"].tolist() == ["ana"]
