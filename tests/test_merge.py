"""`factbench merge`: reviewers' stores from offline machines into one (SQLite or PostgreSQL); idempotent,
no doubled rows, undos kept attached, agreement on the result."""

from __future__ import annotations

import hashlib
import sqlite3

import pandas as pd
import pytest

import factbench as fb
from factbench.cli import main
from factbench.storage.merge import merge, row_key
from factbench.storage.store import StoreError, VerdictStore

from _pgserver import pg_server, pg_url  # noqa: F401  (fixtures)


def _reviewer_store(path, who, verdicts, undo_last=False):
    store = VerdictStore(path)
    for claim, verdict in verdicts:
        store.record(claim, verdict, reviewer=who, note=f"{who} on {claim}", text=f"text of {claim}")
    if undo_last:
        store.undo(who)
    store.close()
    return path


@pytest.fixture
def three(tmp_path):
    claims = [f"c{i}" for i in range(10)]
    a = _reviewer_store(tmp_path / "ana.db", "ana", [(c, "supported") for c in claims] + [("c0", "contradicted")],
                        undo_last=True)
    b = _reviewer_store(tmp_path / "bo.db", "bo", [(c, "supported" if i < 8 else "contradicted")
                                                   for i, c in enumerate(claims)])
    c = _reviewer_store(tmp_path / "cy.db", "cy", [(c, "unsourced" if i % 2 else "supported")
                                                   for i, c in enumerate(claims[:6])] + [("c9", "skip")])
    return [a, b, c]


def _keys(store):
    rows = store.to_frame().to_dict("records")
    by_id, out = {}, []
    for r in rows:
        k = row_key(r, by_id.get(r["undoes"]) if r["action"] == "undo" else None)
        by_id[r["verdict_id"]] = k
        out.append(k)
    return out


def test_merge_keeps_every_row_once_and_agreement_works(three, tmp_path):
    team = tmp_path / "team.db"
    report = merge(three, team)
    assert report.added == 12 + 10 + 7 and report.present == 0 and report.total == 29
    store = VerdictStore(team)
    for path, who in zip(three, ("ana", "bo", "cy")):
        src = VerdictStore(path)
        assert store.current(who) == src.current(who)  # undos still undo the right row
        mine = store.to_frame().query("reviewer == @who")
        assert mine.drop(columns="verdict_id")["decided_at"].tolist() == src.to_frame()["decided_at"].tolist()
    undo = store.to_frame().query("action == 'undo'").iloc[0]
    assert store.to_frame().set_index("verdict_id").at[int(undo["undoes"]), "verdict"] == "contradicted"
    assert store.current("ana")["c0"] == "supported"
    agree = fb.agreement(store).set_index("reviewers")
    assert agree.at["ana / bo", "claims"] == 10 and agree.at["ana / bo", "agreed"] == 8
    assert agree.at["ana / cy", "claims"] == 6 and agree.at["ana / cy", "agreed"] == 3
    assert agree.at["all reviewers", "claims"] == 10
    assert len(set(_keys(store))) == len(store.to_frame()) == 29


def test_merging_twice_or_into_a_source_adds_nothing(three, tmp_path):
    team = tmp_path / "team.db"
    merge(three, team)
    digest = hashlib.sha256(team.read_bytes()).hexdigest()
    again = merge(three, team)
    assert again.added == 0 and again.present == 29 and again.total == 29
    assert hashlib.sha256(team.read_bytes()).hexdigest() == digest  # not a byte written
    assert merge([team, *three], team).added == 0
    # into one of the sources: only the others' rows are added
    into_ana = merge(three, three[0])
    assert into_ana.added == 17 and into_ana.total == 29
    assert merge([three[0], team], tmp_path / "copy.db").total == 29  # the same rows reached twice: once
    assert VerdictStore(team).to_frame()["verdict_id"].tolist() == list(range(1, 30))


def test_one_reviewer_on_two_machines_keeps_the_order_of_decisions(tmp_path):
    laptop, desktop = VerdictStore(tmp_path / "laptop.db"), VerdictStore(tmp_path / "desktop.db")
    laptop.record("c1", "supported", reviewer="ana")
    desktop.record("c1", "contradicted", reviewer="ana")  # later, on the other machine
    laptop.record("c2", "unsourced", reviewer="ana")
    team = VerdictStore(tmp_path / "team.db")
    merge([tmp_path / "laptop.db", tmp_path / "desktop.db"], team)  # laptop first, but order is by time
    assert team.current("ana") == {"c1": "contradicted", "c2": "unsourced"}
    assert team.to_frame()["verdict"].tolist() == ["supported", "contradicted", "unsourced"]


def test_later_merges_report_rows_older_than_the_target_decision(tmp_path):
    old = VerdictStore(tmp_path / "old.db")
    old.record("c1", "supported", reviewer="ana")
    new = VerdictStore(tmp_path / "new.db")
    new.record("c1", "contradicted", reviewer="ana")
    team = tmp_path / "team.db"
    merge([tmp_path / "new.db"], team)
    report = merge([tmp_path / "old.db"], team)
    assert report.out_of_order == 1 and "older than the target's later decision" in report.summary()


def test_bad_sources_are_refused_and_nothing_is_added(three, tmp_path):
    team = tmp_path / "team.db"
    merge(three[:1], team)
    before = VerdictStore(team).to_frame()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 50)
    with pytest.raises(StoreError, match="not an SQLite file"):
        merge([three[1], garbage], team)
    with pytest.raises(StoreError, match="no such verdict store"):
        merge([three[1], tmp_path / "missing.db"], team)
    assert not (tmp_path / "missing.db").exists()
    pd.testing.assert_frame_equal(VerdictStore(team).to_frame(), before)


def test_an_undo_whose_row_is_missing_is_skipped_and_reported(tmp_path):
    path = tmp_path / "odd.db"
    store = VerdictStore(path)
    store.record("c1", "supported", reviewer="ana")
    store.close()
    con = sqlite3.connect(path)  # a damaged log, written by hand
    con.execute("INSERT INTO verdicts (claim_id, verdict, action, undoes, reviewer, decided_at) "
                "VALUES ('c9', NULL, 'undo', 777, 'ana', '2026-01-01')")
    con.commit()
    con.close()
    report = merge([path], tmp_path / "team.db")
    assert report.added == 1 and report.skipped == 1 and "skipped (undo of a missing row)" in report.summary()


def test_merge_command(three, tmp_path, capsys):
    team = str(tmp_path / "team.db")
    assert main(["merge", *map(str, three), "-o", team]) == 0
    out = capsys.readouterr().out
    assert "29 rows added, 0 already there; now 29 rows, 3 reviewer(s): ana, bo, cy" in out
    assert main(["merge", *map(str, three), "-o", team]) == 0
    assert "0 rows added, 29 already there" in capsys.readouterr().out
    assert main(["merge", str(tmp_path / "nope.db"), "-o", team]) == 2
    assert "nope.db: no such verdict store" in capsys.readouterr().err


def test_merge_into_postgresql_and_back(three, pg_url, tmp_path, capsys):
    assert main(["merge", *map(str, three), "-o", pg_url]) == 0
    assert "29 rows added" in capsys.readouterr().out
    assert main(["merge", *map(str, three), "-o", pg_url]) == 0
    assert "0 rows added, 29 already there" in capsys.readouterr().out
    pg = fb.VerdictStore(pg_url)
    lite = tmp_path / "lite.db"
    merge(three, lite)
    lite = VerdictStore(lite)
    for who in ("ana", "bo", "cy"):
        assert pg.current(who) == lite.current(who)
    pd.testing.assert_frame_equal(fb.agreement(pg), fb.agreement(lite))
    # and from PostgreSQL into a file: the same log, nothing doubled
    back = tmp_path / "back.db"
    assert merge([pg_url, *three], back).total == 29
    cols = ["claim_id", "verdict", "action", "reviewer", "decided_at", "note"]
    assert VerdictStore(back).to_frame()[cols].values.tolist() == pg.to_frame()[cols].values.tolist()


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_append_log_adds_a_batch_whole_with_undoes_pointing_into_it(tmp_path, request, kind):
    """The seam merging writes through: rows as they are, an undo pointing at an earlier row of its batch,
    all or none."""
    from factbench.storage.store import SCHEMA_VERSION, BatchRef

    store = VerdictStore(str(tmp_path / "a.db") if kind == "sqlite" else request.getfixturevalue("pg_url"))
    try:
        at = "2025-06-19T10:00:00.000001+00:00"
        before = len(store.log_rows())
        rows = [("c1", "h1", "supported", "set", None, "a note", "", "ana", at, SCHEMA_VERSION),
                ("c2", "h2", "contradicted", "set", None, "", "", "ana", at, SCHEMA_VERSION),
                ("c1", "h1", None, "undo", BatchRef(0), "", "", "ana", at, SCHEMA_VERSION)]
        ids = store.append_log(rows)
        log = store.log_rows()[before:]
        assert [r["verdict_id"] for r in log] == ids and log[2]["undoes"] == ids[0]
        assert store.current("ana") == {"c2": "contradicted"}
        with pytest.raises(ValueError, match="earlier row of its batch"):
            store.append_log(rows[:2] + [rows[2][:4] + (BatchRef(7),) + rows[2][5:]])
        assert len(store.log_rows()) == before + 3  # the failed batch added nothing
    finally:
        store.close()
