import hashlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

import factbench as fb
from factbench.storage.agreement import agreement, cohen_kappa, disagreements, krippendorff_alpha
from factbench.storage.export import ClaimReviewError, validate_claim_review
from factbench.review.session import ReviewSession
from factbench.storage.store import StoreError, VerdictStore

from conftest import ROOT


def small_claims():
    return pd.DataFrame({
        "claim_id": ["a", "b", "c", "d"], "article_id": ["1", "2", "3", "4"], "outlet": ["X", "Y", "X", "Z"],
        "text": ["A said 1.", "B said 2.", "C said 3.", "D said 4."], "checkworthiness": [0.5, 0.9, 0.7, 0.6],
    })


GROUPS = pd.DataFrame({"claim_id": ["a", "b", "c", "d"], "group_id": ["g1", "g1", "g2", "g3"], "group_size": [2, 2, 1, 1]})
FLAGS = pd.DataFrame({"claim_id_l": ["c"], "claim_id_r": ["d"], "kind": ["date"], "value_l": ["--06-20"],
                      "value_r": ["--06-19"], "explanation": ["dates differ"]})


# ---------------------------------------------------------------- session, no kernel
def test_session_queue_order_and_progress():
    s = ReviewSession(small_claims(), store=VerdictStore(":memory:"), reviewer="ana")
    assert s.queue == ["b", "c", "d", "a"]  # by check-worthiness
    assert s.submit("supported").ok and s.current_id == "c"
    assert s.skip().ok and s.current_id == "d"
    p = s.progress()
    assert (p["total"], p["done"], p["supported"], p["skip"]) == (4, 2, 1, 1)
    s.set_order("document")
    assert s.queue == ["a", "b", "c", "d"] and s.current_id == "d"
    s.set_order("group")
    assert s.queue[:2] == ["a", "b"]


def test_session_refuses_wrong_claim_and_double_click():
    store = VerdictStore(":memory:")
    s = ReviewSession(small_claims(), store=store, reviewer="ana")
    assert s.submit("supported", claim_id="b").ok
    late = s.submit("supported", claim_id="b")  # the second click of a double click arrives late
    assert not late.ok and "another claim" in late.message
    assert len(store.to_frame()) == 1
    s.goto("b")
    again = s.submit("supported")
    assert not again.ok and len(store.to_frame()) == 1  # same verdict twice: recorded once
    assert s.submit("contradicted").ok and len(store.to_frame()) == 2


def test_session_min_dwell_blocks_instant_second_decision():
    store = VerdictStore(":memory:")
    s = ReviewSession(small_claims(), store=store, reviewer="ana", min_dwell=5.0)
    s._shown_at -= 10
    assert s.submit("supported").ok
    assert not s.submit("supported").ok  # queued click right after the next claim was shown
    assert list(store.to_frame()["claim_id"]) == ["b"]


def test_session_undo_filters_and_group():
    store = VerdictStore(":memory:")
    s = ReviewSession(small_claims(), store=store, reviewer="ana", groups=GROUPS, flags=FLAGS)
    s.submit("supported")
    s.submit("contradicted")
    assert s.undo() == "c" and s.current_id == "c"
    assert store.current("ana") == {"b": "supported"}
    assert list(store.to_frame()["action"]) == ["set", "set", "undo"]  # append-only
    s.set_filter(state="unreviewed")
    assert "b" not in s.queue
    s.set_filter(state="all", has_discrepancy=True)
    assert set(s.queue) == {"c", "d"}
    s.set_filter(has_discrepancy=None, outlets=("X",))
    assert set(s.queue) == {"a", "c"}
    s.set_filter(outlets=())
    s.goto("a")
    out = s.apply_to_group("unsourced", note="no source")
    assert out.ok and sorted(out.claim_ids) == ["a", "b"]
    latest = store.latest().set_index("claim_id")
    assert latest.loc["a", "verdict"] == latest.loc["b", "verdict"] == "unsourced"
    assert (store.to_frame()["verdict"] == "unsourced").sum() == 2  # one row each


def test_verdicts_found_again_after_reload(tmp_path, corpus):
    db = tmp_path / "r.db"
    with VerdictStore(db) as store:
        s = ReviewSession(corpus, store=store, reviewer="ana")
        first = s.current_id
        s.submit("contradicted", note="dates differ")
    again = fb.load(ROOT / "sample_data", progress=False)
    with VerdictStore(db) as store:
        s2 = ReviewSession(again, store=store, reviewer="ana")
        assert s2.verdicts == {first: "contradicted"}
        assert store.history(first)["note"].tolist() == ["dates differ"]


# ---------------------------------------------------------------- widgets driven in Python
def test_panel_buttons_keys_and_fields_write_the_store(corpus):
    store = VerdictStore(":memory:")
    pairs = fb.match(corpus, progress=False)
    groups = fb.group(pairs, corpus)
    flags = fb.discrepancies(corpus, pairs)
    panel = fb.ReviewPanel(corpus, store=store, reviewer="ana", pairs=pairs, groups=groups, flags=flags, min_dwell=0)
    first = panel.session.current_id
    panel.note.value = "confirmed by ministry"
    panel.evidence.value = "https://example.org/a"
    panel.buttons["supported"].click()
    row = store.to_frame().iloc[-1]
    assert (row["claim_id"], row["verdict"], row["note"], row["evidence_url"]) == \
        (first, "supported", "confirmed by ministry", "https://example.org/a")
    assert panel.note.value == "" and panel.session.current_id != first
    second = panel.session.current_id
    assert panel.key_listener.claim_id == second
    panel._on_key(None, {"key": "2", "claim_id": second}, [])
    assert store.current("ana")[second] == "contradicted"
    third = panel.session.current_id
    panel._on_key(None, {"key": "3", "claim_id": second}, [])  # a late key meant for the previous claim
    assert third not in store.current("ana") and len(store.to_frame()) == 2
    panel._on_key(None, {"key": "u", "claim_id": third}, [])
    assert panel.session.current_id == second and second not in store.current("ana")
    panel.undo_button.click()
    assert store.current("ana") == {}
    panel.next_button.click()
    panel.prev_button.click()
    panel.buttons["skip"].click()
    assert store.to_frame().iloc[-1]["verdict"] == "skip"
    assert "reviewed 1" in panel.progress.value
    panel.state_filter.value = "unreviewed"
    assert all(c not in store.current("ana") for c in panel.session.queue)
    panel.state_filter.value = "all"
    panel.flag_filter.value = "with"
    assert panel.session.queue and all(panel.session.index.flagged(c) for c in panel.session.queue)
    panel.outlet_filter.value = "Caliber.Az"
    assert set(panel.session.claims.set_index("claim_id").loc[panel.session.queue, "outlet"]) == {"Caliber.Az"}


def test_panel_buttons_show_keys_as_keys(corpus):
    panel = fb.ReviewPanel(corpus, store=VerdictStore(":memory:"), reviewer="ana", min_dwell=0)
    labels = {v: b.description for v, b in panel.buttons.items()}
    assert labels == {"supported": "Supported · key 1", "contradicted": "Contradicted · key 2",
                      "unsourced": "Unsourced · key 3", "skip": "Skip · key s"}
    assert panel.undo_button.description == "Undo · key u"
    assert not any(re.search(r"\(\w\)", b.description) for b in (*panel.buttons.values(), panel.undo_button,
                                                                  panel.next_button, panel.prev_button))


def test_panel_keeps_an_unsaved_verdict_on_screen_when_the_store_fails(tmp_path, corpus):
    store = VerdictStore(tmp_path / "r.db", timeout=0.2)
    panel = fb.ReviewPanel(corpus, store=store, reviewer="ana", min_dwell=0)
    first = panel.session.current_id
    panel.note.value = "dates differ"
    panel.evidence.value = "https://example.org/a"
    holder = sqlite3.connect(tmp_path / "r.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        panel.buttons["contradicted"].click()
    finally:
        holder.execute("ROLLBACK")
    assert "NOT SAVED" in panel.status.value and "contradicted was not recorded" in panel.status.value
    assert panel.session.current_id == first
    assert (panel.note.value, panel.evidence.value) == ("dates differ", "https://example.org/a")
    assert store.to_frame().empty
    panel.buttons["contradicted"].click()  # the retry succeeds once the lock is free
    assert store.current("ana") == {first: "contradicted"} and "recorded" in panel.status.value


def test_panel_whole_group_and_blind_mode(corpus):
    store = VerdictStore(":memory:")
    pairs = fb.match(corpus, progress=False)
    groups = fb.group(pairs, corpus)
    panel = fb.ReviewPanel(corpus, store=store, reviewer="bo", pairs=pairs, groups=groups, order="group",
                           blind=True, min_dwell=0)
    members = panel.session.group_members()
    assert len(members) >= 3
    panel.whole_group.value = True
    panel.buttons["supported"].click()
    assert sorted(store.current("bo")) == sorted(members)
    assert "score" not in panel.card.value and "hint:" not in panel.card.value
    assert "check-worthiness" not in panel.card.value


def test_panel_shows_matches_flags_and_escapes(tmp_path):
    df = pd.DataFrame({"article_id": ["x1", "x2"], "outlet": ["<b>Evil</b> Times", "Good News"],
                       "title": ["<script>alert('t')</script>", "ok"], "url": ["javascript:alert(1)", "https://ok.example/a"],
                       "text": ["Officials said <script>alert(1)</script> 84 soldiers came home on June 20 after <img src=x onerror=alert(2)> talks.",
                                "Officials said 84 soldiers came home on June 19 after the talks in Istanbul."]})
    c = fb.load(df, cache=False, progress=False)
    pairs = fb.match(c, threshold=40, progress=False)
    flags = fb.discrepancies(c, pairs)
    store = VerdictStore(":memory:")
    panel = fb.ReviewPanel(c, store=store, reviewer="ana", pairs=pairs, flags=flags, min_dwell=0)
    panel.session.goto(c.claims[c.claims["article_id"] == "x1"]["claim_id"].iloc[0])
    panel.refresh()
    h = panel.card.value
    assert "<script>" not in h and "<img" not in h and "<b>Evil" not in h
    assert "&lt;script&gt;alert(" in h and "&lt;/script&gt;" in h and "&lt;img src=x onerror=alert(" in h
    assert "&lt;b&gt;Evil&lt;/b&gt; Times" in h
    assert 'href="javascript' not in h
    assert "Good News" in h and "fb-flagval" in h and "--06-19" in h


# ---------------------------------------------------------------- store robustness
WRITER = textwrap.dedent("""
    import sys
    from factbench.storage.store import VerdictStore
    path, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = VerdictStore(path)
    for i in range(n):
        store.record(f"{who}-{i}", "supported", reviewer=who, note=str(i))
        if n < 0 or (len(sys.argv) > 4 and i == 49):
            print("wrote 50", flush=True)
""")


def test_two_processes_write_1000_each(tmp_path):
    db = tmp_path / "shared.db"
    VerdictStore(db).close()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), who, "1000"]) for who in ("ana", "bo")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    log = VerdictStore(db).to_frame()
    assert len(log) == 2000
    assert log.groupby("reviewer").size().to_dict() == {"ana": 1000, "bo": 1000}
    assert log["verdict_id"].is_unique


def test_killed_writer_leaves_earlier_verdicts_readable(tmp_path):
    db = tmp_path / "crash.db"
    p = subprocess.Popen([sys.executable, "-c", WRITER, str(db), "ana", "100000", "signal"], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "wrote 50"
    time.sleep(0.2)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    log = VerdictStore(db).to_frame()
    assert len(log) >= 50
    assert log["note"].astype(int).tolist() == list(range(len(log)))  # every row up to the crash, in order
    assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _digest(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_foreign_garbage_and_newer_files_are_refused_untouched(tmp_path):
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all" * 100)
    newer = tmp_path / "newer.db"
    VerdictStore(newer).close()
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version=99")
    con.commit()
    con.close()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    for path, words in ((other, "another program"), (garbage, "not an SQLite file"), (newer, "newer factbench"),
                        (damaged, "untouched")):
        before = _digest(path)
        with pytest.raises(StoreError, match=words):
            VerdictStore(path)
        assert _digest(path) == before, path


def test_log_is_append_only():
    store = VerdictStore(":memory:")
    store.record("a", "supported", reviewer="ana")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._db.execute("UPDATE verdicts SET verdict='contradicted'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store._db.execute("DELETE FROM verdicts")
    with pytest.raises(ValueError, match="verdict must be one of"):
        store.record("a", "maybe", reviewer="ana")
    with pytest.raises(ValueError, match="reviewer"):
        store.record("a", "supported", reviewer=" ")


def test_in_memory_store_warns_in_a_kernel(monkeypatch, recwarn):
    import IPython

    VerdictStore(":memory:")
    assert not [w for w in recwarn if "kernel stops" in str(w.message)]  # not in a plain test process
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # as inside a Jupyter kernel
    with pytest.warns(UserWarning, match="only until the kernel stops"):
        VerdictStore(":memory:")


# ---------------------------------------------------------------- export
def reviewed(corpus):
    store = VerdictStore(":memory:")
    ids = corpus.claims["claim_id"].tolist()
    store.record(ids[0], "supported", reviewer="ana", note="=HYPERLINK(\"http://evil\")", evidence_url="https://ok.example/1")
    store.record(ids[1], "contradicted", reviewer="ana", note="@SUM(A1)")
    store.record(ids[2], "unsourced", reviewer="bo", note="-2+3")
    store.record(ids[1], "supported", reviewer="bo")
    return store, ids


def test_csv_export_round_trip_and_formula_neutralised(tmp_path, corpus):
    store, ids = reviewed(corpus)
    groups = fb.group(fb.match(corpus, progress=False), corpus)
    path = fb.export_csv(corpus, store, tmp_path / "v.csv", groups=groups, settings={"scorer": "token_sort_ratio"})
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.decode("utf-8")
    df = pd.read_csv(path, keep_default_na=False)
    got = df[df["verdict"] != ""].set_index(["claim_id", "reviewer"])["verdict"].to_dict()
    want = store.latest().set_index(["claim_id", "reviewer"])["verdict"].to_dict()
    assert got == want
    notes = dict(zip(df["claim_id"] + "/" + df["reviewer"], df["note"]))
    assert notes[f"{ids[0]}/ana"] == "'=HYPERLINK(\"http://evil\")"
    assert notes[f"{ids[1]}/ana"] == "'@SUM(A1)" and notes[f"{ids[2]}/bo"] == "'-2+3"
    assert len(df[df["verdict"] == ""]) == len(corpus.claims) - 3  # unreviewed claims stay listed
    row = df[df["claim_id"] == ids[0]].iloc[0]
    assert row["factbench_version"] == fb.__version__ and row["corpus_fingerprint"] == corpus.fingerprint
    assert json.loads(row["settings"])["scorer"] == "token_sort_ratio" and row["group_id"].startswith("g")
    text = corpus.articles.set_index("article_id").loc[row["article_id"], "text"]
    assert text[row["start"]:row["end"]] == row["text"]


def test_fever_jsonl_and_claimreview(tmp_path, corpus):
    store, ids = reviewed(corpus)
    p = fb.export_jsonl(corpus, store, tmp_path / "v.jsonl")
    recs = [json.loads(x) for x in p.read_text().splitlines()]
    labels = {(r["id"], r["reviewer"]): (r["label"], r["unsourced"]) for r in recs}
    assert labels[(ids[0], "ana")] == ("SUPPORTS", False)
    assert labels[(ids[1], "ana")] == ("REFUTES", False)
    assert labels[(ids[2], "bo")] == ("NOT ENOUGH INFO", True)
    assert recs[0]["evidence"] == [["https://ok.example/1"]]
    groups = fb.group(fb.match(corpus, progress=False), corpus)
    p = fb.export_claimreview(corpus, store, tmp_path / "cr.jsonld", groups=groups)
    reviews = json.loads(p.read_text())
    assert len(reviews) == 4
    r = next(x for x in reviews if x["identifier"] == ids[0] and x["author"]["name"] == "ana")
    assert r["reviewRating"]["alternateName"] == "Supported" and r["itemReviewed"]["@type"] == "Claim"
    assert r["itemReviewed"]["appearance"][0]["publisher"]["name"]
    size = dict(zip(groups["claim_id"], groups["group_size"]))
    for x in reviews:
        validate_claim_review(x)
        # every appearance of the statement across outlets: its whole group
        assert len(x["itemReviewed"]["appearance"]) == size[x["identifier"]]
    bad = dict(reviews[0], reviewRating={"@type": "Rating"})
    with pytest.raises(ClaimReviewError, match="alternateName"):
        validate_claim_review(bad)


def test_export_cli(tmp_path, corpus):
    db = tmp_path / "reviews.db"
    with VerdictStore(db) as store:
        store.record(corpus.claims["claim_id"].iloc[0], "supported", reviewer="ana")
    for fmt, name in (("csv", "v.csv"), ("jsonl", "v.jsonl"), ("claimreview", "v.jsonld")):
        r = subprocess.run([sys.executable, "-m", "factbench.cli", "export", str(db), "-o", str(tmp_path / name),
                            "--format", fmt, "--corpus", str(ROOT / "sample_data")], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        assert (tmp_path / name).stat().st_size > 100
    r = subprocess.run([sys.executable, "-m", "factbench.cli", "export", str(tmp_path / "nope.db")], capture_output=True, text=True)
    assert r.returncode == 2 and "no such verdict store" in r.stderr


# ---------------------------------------------------------------- agreement
def test_agreement_against_hand_computed_example():
    latest = pd.DataFrame({"claim_id": ["a", "b", "c", "d"] * 2, "reviewer": ["x"] * 4 + ["y"] * 4,
                           "verdict": ["supported", "supported", "contradicted", "unsourced",
                                       "supported", "contradicted", "contradicted", "unsourced"]})
    a = agreement(latest)
    # p_o = 3/4, p_e = (2*1 + 1*2 + 1*1)/16 = 5/16, kappa = (12/16 - 5/16) / (11/16) = 7/11
    assert a.iloc[0]["cohen_kappa"] == pytest.approx(7 / 11)
    # coincidences: SS 2, SC 1, CS 1, CC 2, UU 2; n = 8; alpha = 1 - 7 * 2 / (2 * (3*3 + 3*2 + 3*2)) = 2/3
    assert a.iloc[-1]["krippendorff_alpha"] == pytest.approx(2 / 3)
    assert disagreements(latest)["claim_id"].tolist() == ["b"]
    assert cohen_kappa(["s", "s"], ["s", "s"]) == 1.0
    # three reviewers, unit with a missing value and a skip ignored
    three = pd.DataFrame({"claim_id": ["a", "a", "a", "b", "b", "c"], "reviewer": ["x", "y", "z", "x", "y", "x"],
                          "verdict": ["supported", "supported", "contradicted", "unsourced", "unsourced", "skip"]})
    r = agreement(three)
    assert len(r) == 4 and r.iloc[-1]["claims"] == 2
    # units (S,S,C) and (U,U): o_SS = 1, o_SC = o_CS = 1, o_UU = 2; n_S 2, n_C 1, n_U 2, n = 5
    # alpha = 1 - (n-1) * D_o / sum_{c!=k} n_c n_k = 1 - 4 * 2 / (2 * (2*1 + 2*2 + 1*2)) = 1/2
    assert krippendorff_alpha([["s", "s", "c"], ["u", "u"]]) == pytest.approx(0.5)
