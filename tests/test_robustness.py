"""Rough input and hostile conditions (issue 9, and the encodings of issue 12): the verdict store never
wedges or loses a verdict, exports hold no live formulas or unsafe URLs, one bad file never sinks a
batch, and legacy encodings are read as the words they hold. Bounded: the whole file runs in well
under a minute (no test parses more than a few short texts).
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pandas as pd
import pytest

import factbench as fb
from factbench.ingest.encodings import decode_bytes
from factbench.ingest.parse import ParseCache, parse_texts
from factbench.ingest.sources import read_source
from factbench.storage.csvio import neutralise, write_csv
from factbench.storage.export import ClaimReviewError, claim_reviews, validate_claim_review
from factbench.storage.store import APPLICATION_ID, StoreError, VerdictStore

from conftest import ROOT

GOOD = "The ministry said 40 prisoners were released on June 3.\n\nThe exchange took place near Sumy."


def cli(argv, capsys, cwd=None):
    """Run the command line in this process (no interpreter start-up): (exit code, stdout, stderr)."""
    from factbench.cli import main

    old = os.getcwd()
    os.chdir(cwd or old)
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse's own errors
        code = e.code
    finally:
        os.chdir(old)
    out = capsys.readouterr()
    return code, out.out, out.err


def _write(folder, name, data: bytes):
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p


# ================================================================ the verdict store
@pytest.mark.parametrize("kwargs,words", [
    ({"note": "bad \ud800 note"}, "note: character U\\+D800"),
    ({"note": 42}, "note must be text, not int"),
    ({"evidence_url": ["http://x"]}, "evidence_url must be text, not list"),
    ({"reviewer": "ana\udcff"}, "reviewer"),
])
def test_bad_values_are_refused_before_writing_and_the_store_stays_usable(tmp_path, kwargs, words):
    db = tmp_path / "r.db"
    store = VerdictStore(db)
    args = {"reviewer": "ana", **kwargs}
    with pytest.raises(ValueError, match=words):
        store.record("c1", "supported", **args)
    assert not store._db.in_transaction
    other = VerdictStore(db, timeout=1)  # another process is not blocked
    other.record("c2", "supported", reviewer="ben")
    store.record("c3", "contradicted", reviewer="ana")  # the reviewer's next verdict works
    assert store.current("ana") == {"c3": "contradicted"} and len(store.to_frame()) == 2


def test_an_error_inside_the_transaction_is_rolled_back(tmp_path):
    db = tmp_path / "r.db"
    store = VerdictStore(db)
    store._db.execute("PRAGMA max_page_count = 1")  # the next page allocation fails inside the insert
    with pytest.raises(StoreError, match="disk is full; nothing was written"):
        store.record("c1", "supported", reviewer="ana", note="x" * 20000)
    assert not store._db.in_transaction
    other = VerdictStore(db, timeout=1)
    other.record("c2", "supported", reviewer="ben")  # not blocked by a lock left behind


def test_full_disk_keeps_earlier_verdicts(tmp_path):
    db = tmp_path / "r.db"
    store = VerdictStore(db)
    for k in range(20):
        store.record(f"c{k}", "supported", reviewer="ana")
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        store.record_many([f"d{k}" for k in range(400)], "supported", reviewer="ana", note="n" * 500)
    assert len(VerdictStore(db).to_frame()) == 20


def test_a_busy_store_waits_a_bounded_time_then_says_so(tmp_path):
    db = tmp_path / "r.db"
    VerdictStore(db).record("c0", "supported", reviewer="ana")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        store = VerdictStore(db, timeout=0.3)
        t = time.monotonic()
        with pytest.raises(StoreError, match="write lock for more than 0.3 s; nothing was written"):
            store.record("c1", "supported", reviewer="ana")
        assert time.monotonic() - t < 3
        assert store.current("ana") == {"c0": "supported"}  # reading goes on while another writes
    finally:
        holder.execute("ROLLBACK")
    store.record("c1", "supported", reviewer="ana")  # and writing once the lock is free


def test_a_read_only_store_raises_store_error(tmp_path):
    store = VerdictStore(tmp_path / "r.db")
    store._db.execute("PRAGMA query_only = 1")  # what SQLite reports for a read-only file or disk
    with pytest.raises(StoreError, match="read-only"):
        store.record("c1", "supported", reviewer="ana")
    with pytest.raises(StoreError, match="read-only"):
        store.undo("ana")


def test_many_openers_creating_one_store_at_once_all_succeed(tmp_path):
    # separate connections in threads race like processes do (SQLite releases the GIL)
    for round_ in range(5):
        db = tmp_path / f"r{round_}.db"
        barrier = threading.Barrier(6)
        errors = []

        def open_and_record(k):
            barrier.wait()
            try:
                VerdictStore(db).record("c", "supported", reviewer=f"p{k}")
            except Exception as e:  # noqa: BLE001 - collected and shown
                errors.append(repr(e))

        threads = [threading.Thread(target=open_and_record, args=(k,)) for k in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        assert VerdictStore(db).reviewers() == [f"p{k}" for k in range(6)]


def test_a_half_made_store_of_ours_is_finished(tmp_path):
    db = tmp_path / "r.db"
    con = sqlite3.connect(db)  # what a kill between "create tables" and "set the application id" left
    con.execute("CREATE TABLE verdicts (verdict_id INTEGER PRIMARY KEY AUTOINCREMENT, claim_id TEXT NOT NULL, "
                "text_hash TEXT NOT NULL DEFAULT '', verdict TEXT, action TEXT NOT NULL, undoes INTEGER, "
                "note TEXT NOT NULL DEFAULT '', evidence_url TEXT NOT NULL DEFAULT '', reviewer TEXT NOT NULL, "
                "decided_at TEXT NOT NULL, schema_version INTEGER NOT NULL DEFAULT 1)")
    con.commit()
    con.close()
    store = VerdictStore(db)
    store.record("c1", "supported", reviewer="ana")
    assert store._db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        store._db.execute("DELETE FROM verdicts")
    # a file of another program is still refused, untouched
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    before = other.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        VerdictStore(other)
    assert other.read_bytes() == before


def test_two_kernels_pressing_undo_at_once_undo_two_decisions(tmp_path):
    db = tmp_path / "r.db"
    for round_ in range(10):
        a, b = VerdictStore(db), VerdictStore(db)
        a.record_many([f"x{round_}", f"y{round_}"], "supported", reviewer="ana")
        barrier = threading.Barrier(2)
        got = []

        def press(store):
            barrier.wait()
            got.append(store.undo("ana"))

        threads = [threading.Thread(target=press, args=(s,)) for s in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(got) == [f"x{round_}", f"y{round_}"]
    log = VerdictStore(db).to_frame()
    undone = log.loc[log["action"] == "undo", "undoes"]
    assert undone.is_unique and len(undone) == 20
    assert VerdictStore(db).current("ana") == {}


def test_current_and_latest_agree_with_the_log_after_random_decisions_and_undos():
    import random

    from factbench.storage.store import current_verdicts

    rng = random.Random(7)
    store = VerdictStore(":memory:")  # the same schema and triggers as a file, without 400 fsyncs
    for _ in range(400):
        reviewer = rng.choice(["ana", "ben"])
        if rng.random() < 0.3:
            store.undo(reviewer, rng.choice([None, f"c{rng.randrange(8)}"]))
        else:
            store.record(f"c{rng.randrange(8)}", rng.choice(["supported", "contradicted", "skip"]), reviewer=reviewer)
    rows = store.to_frame().to_dict("records")
    for reviewer in ("ana", "ben"):
        want = {r["claim_id"]: r["verdict"] for r in current_verdicts([r for r in rows if r["reviewer"] == reviewer])}
        assert store.current(reviewer) == want
        assert list(store.current(reviewer)) == list(want)  # in the order decided
    assert store.latest()["verdict_id"].tolist() == [r["verdict_id"] for r in current_verdicts(rows)]


def test_a_store_of_the_previous_layout_gets_its_current_index(tmp_path):
    db = tmp_path / "r.db"
    store = VerdictStore(db)
    store.record_many(["a", "b"], "supported", reviewer="ana")
    store.record("a", "contradicted", reviewer="ana")
    store.undo("ana", "b")
    for name in ("verdicts_current_set", "verdicts_current_undo"):
        store._db.execute(f"DROP TRIGGER {name}")
    store._db.execute("DROP TABLE verdicts_current")
    store.close()
    assert VerdictStore(db).current("ana") == {"a": "contradicted"}


def test_undo_and_current_read_through_indexes():
    store = VerdictStore(":memory:")
    store.record("c1", "supported", reviewer="ana")
    plan = " ".join(str(r) for r in store._db.execute(
        "EXPLAIN QUERY PLAN SELECT v.verdict_id FROM verdicts v WHERE v.reviewer = ? AND action = 'set' AND NOT EXISTS "
        "(SELECT 1 FROM verdicts u WHERE u.undoes = v.verdict_id) ORDER BY v.verdict_id DESC LIMIT 1", ("ana",)))
    assert "SCAN" not in plan.replace("SCAN CONSTANT", "") and "verdicts_undoes" in plan


@pytest.mark.parametrize("path,words", [
    ("mysql://ana@db.example/reviews", "a URL, not a file path"),  # postgresql:// goes to that backend
    ("missing/sub/r.db", "does not exist; create it first"),
    ("afile/r.db", "is a file, not a folder"),
])
def test_store_paths_are_checked_before_anything_is_created(tmp_path, monkeypatch, path, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match=words):
        VerdictStore(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


# ================================================================ exports
def _store_with_formulas(path):
    store = VerdictStore(path)
    store.record("c1", "supported", reviewer="@SUM(A1:A9)", note="=1+1", evidence_url=" =HYPERLINK(\"http://x\")")
    store.record("c2", "contradicted", reviewer="ana", note="+cmd|' /C calc'!A0", evidence_url="-2+3")
    store.close()
    return path


def test_cli_export_without_corpus_writes_no_live_formula(tmp_path, capsys):
    db = _store_with_formulas(tmp_path / "r.db")
    out = tmp_path / "out.csv"
    code, _, err = cli(["export", db, "-o", out], capsys)
    assert code == 0, err
    df = pd.read_csv(out, dtype=str, keep_default_na=False)
    for col in ("note", "evidence_url", "reviewer"):
        for v in df[col]:
            assert not v.lstrip(" ").startswith(("=", "+", "-", "@")), (col, v)
    assert set(df["note"]) == {"'=1+1", "'+cmd|' /C calc'!A0"}


@pytest.mark.parametrize("dtype", ["object", "string", "str"])
def test_every_text_cell_is_neutralised_whatever_the_dtype(tmp_path, dtype):
    df = pd.DataFrame({"a": pd.Series(["=1+1", " @SUM(1)", "\t=2", "fine", "-5", "--07-04"], dtype=dtype)})
    write_csv(df, tmp_path / "x.csv")
    got = pd.read_csv(tmp_path / "x.csv", dtype=str, keep_default_na=False)["a"].tolist()
    assert got == ["'=1+1", "' @SUM(1)", "'\t=2", "fine", "-5", "XXXX-07-04"]


def test_flag_dates_without_a_year_need_no_mangling(tmp_path):
    flags = pd.DataFrame({"kind": ["date"], "value_l": ["--07-04"], "value_r": ["--06-19"]})
    write_csv(flags, tmp_path / "flags.csv")
    text = (tmp_path / "flags.csv").read_text()
    assert "'--" not in text and "XXXX-07-04" in text
    assert neutralise("--07") == "XXXX-07"


def test_claimreview_urls_are_web_addresses_only():
    claims = pd.DataFrame({"claim_id": ["a"], "article_id": ["1"], "outlet": ["X"], "text": ["X said 40 came home."],
                           "checkworthiness": [0.9]})
    articles = pd.DataFrame({"article_id": ["1"], "title": ["t"], "published": [""], "url": ["javascript:alert(1)"]})

    class C:
        pass

    corpus = C()
    corpus.claims, corpus.articles = claims, articles
    store = VerdictStore(":memory:")
    store.record("a", "contradicted", reviewer="ana", evidence_url="data:text/html,<script>alert(1)</script>")
    [review] = claim_reviews(corpus, store)
    assert "url" not in review and all("url" not in a for a in review["itemReviewed"]["appearance"])
    validate_claim_review(review)
    review["itemReviewed"]["appearance"][0]["url"] = "javascript:alert(1)"
    with pytest.raises(ClaimReviewError, match="appearance url"):
        validate_claim_review(review)


_SLOW_WRITER = textwrap.dedent("""
    import sys, time
    from factbench.storage.csvio import atomic_write
    def write(fh):
        fh.write("x" * 100000)
        fh.flush()
        print("writing", flush=True)
        time.sleep(60)
    atomic_write(sys.argv[1], write)
""")


def test_a_killed_export_leaves_no_temporary_file_behind(tmp_path):
    out = tmp_path / "verdicts.csv"
    p = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(out)], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "writing"
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert [f.suffix for f in tmp_path.iterdir()] == [".fbtmp"]  # the killed writer's orphan
    write_csv(pd.DataFrame({"a": [1]}), out)
    assert [f.name for f in tmp_path.iterdir()] == ["verdicts.csv"]


def test_written_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "a.csv")
        assert (tmp_path / "a.csv").stat().st_mode & 0o777 == 0o644
        os.umask(0o077)
        write_csv(pd.DataFrame({"a": [1]}), tmp_path / "b.csv")
        assert (tmp_path / "b.csv").stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old)


# ================================================================ loading
def test_a_text_over_spacys_limit_is_parsed_in_pieces(nlp):
    para = " ".join(f"Officials said {k} soldiers returned home on June {k % 28 + 1}." for k in range(120))
    old = nlp.max_length
    nlp.max_length = 2000  # stands in for spaCy's 1,000,000 characters; the text is one paragraph
    try:
        [p] = parse_texts([para], nlp=nlp, progress=False)
    finally:
        nlp.max_length = old
    assert len(para) > 5000 and len(p.sents) >= 100
    assert all(para[s:e].startswith("Officials said") for s, e in p.sents)


def test_same_names_in_subfolders_and_other_extensions_are_different_articles(tmp_path):
    _write(tmp_path, "reuters/2024-06-19.txt", b"Reuters said 84 soldiers came home on June 19.")
    _write(tmp_path, "ap/2024-06-19.txt", b"AP said 90 soldiers came home on June 19.")
    _write(tmp_path, "story.txt", b"Kyiv said 40 prisoners were freed.")
    _write(tmp_path, "story.html", b"<html><body><p>Moscow said 40 prisoners were freed in Belarus on Friday.</p></body></html>")
    c = fb.load(tmp_path, progress=False, cache=False)
    assert sorted(c.articles["article_id"]) == ["ap/2024-06-19", "reuters/2024-06-19", "story.html", "story.txt"]
    assert c.skipped.empty


def test_non_regular_files_are_skipped_not_read(tmp_path):
    _write(tmp_path, "good.txt", GOOD.encode())
    os.mkfifo(tmp_path / "pipe.fifo")
    (tmp_path / "fifo.txt").symlink_to(tmp_path / "pipe.fifo")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    records, skipped = read_source(tmp_path, progress=False)
    assert [r["article_id"] for r in records] == ["good"]
    problems = {os.path.basename(s["source"]): s["problem"] for s in skipped}
    assert "named pipe" in problems["fifo.txt"] and "device" in problems["zero.txt"]


def test_undecodable_file_names_load(tmp_path):
    name = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(name, "wb") as fh:
        fh.write(GOOD.encode())
    c = fb.load(tmp_path, progress=False, cache=False)
    assert c.articles.loc[0, "article_id"] == "caf"
    c.articles["source_path"].iloc[0].encode("utf-8")  # printable, storable


def test_empty_source_and_unreadable_folder(tmp_path, monkeypatch):
    with pytest.raises(fb.InputError, match="no source given"):
        fb.load("", progress=False)
    real = os.scandir

    def denied(path="."):
        if str(path) == str(tmp_path):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(fb.InputError, match=r"folder cannot be read \(Permission denied\)") as e:
        fb.load(tmp_path, progress=False)
    assert "articles.csv" not in str(e.value)


def test_text_cells_that_are_not_text_are_skipped_with_a_report():
    df = pd.DataFrame({"article_id": list("abcdefg"),
                       "text": [GOOD, 42, None, float("nan"), ["a", "list"], {"a": "dict"}, "12 345"]})
    c = fb.load(df, progress=False, cache=False)
    assert list(c.articles["article_id"]) == ["a"]
    assert list(c.skipped["problem"]) == ["text is a number (int), not text", "empty text", "empty text",
                                          "text is a list, not text", "text is a dict, not text", "no words in the text"]


def test_manifest_problems_are_reported_and_never_override_the_file(tmp_path):
    _write(tmp_path, "a/x.txt", b"Kyiv said 40 prisoners were freed on June 3, 2024.")
    _write(tmp_path, "b/x.txt", b"Moscow said 41 prisoners were freed on June 3, 2024.")
    _write(tmp_path, "y.txt", GOOD.encode())
    pd.DataFrame({"file": ["y.txt", "y.txt", "gone.txt", "x.txt", "a/x.txt"],
                  "outlet": ["Y News", "Other", "G", "X?", "A Post"],
                  "text": ["manifest text", "", "", "", ""], "article_id": ["zzz", "", "", "", ""],
                  "published": ["March", "", "", "", "12/11/10"]}).to_csv(tmp_path / "articles.csv", index=False)
    c = fb.load(tmp_path, progress=False, cache=False)
    a = c.articles.set_index("article_id")
    assert sorted(a.index) == ["a/x", "b/x", "y"]
    assert a.loc["y", "outlet"] == "Y News" and a.loc["y", "text"].startswith("The ministry")
    assert a.loc["a/x", "outlet"] == "A Post" and a.loc["y", "published"] == a.loc["a/x", "published"] == ""
    problems = " | ".join(c.skipped["problem"])
    for words in ("column 'text' ignored", "column 'article_id' ignored", "duplicate row for 'y.txt'",
                  "not among the articles: 'gone.txt'", "'x.txt' fits 2 files", "'March' is not a full date",
                  "'12/11/10' reads as more than one date"):
        assert words in problems, words


@pytest.mark.parametrize("value,iso", [
    ("March", ""), ("TBD 12", ""), ("Q3 2024", ""), ("12/11/10", ""), ("2024-06-19", "2024-06-19"),
    ("June 19, 2024", "2024-06-19"), ("19/06/2024", "2024-06-19"),
])
def test_only_unambiguous_dates_are_accepted(value, iso):
    from factbench.claims.load import parse_date

    assert parse_date(value)[0] == iso


def test_utf16_without_bom_nuls_and_lone_surrogates(tmp_path):
    _write(tmp_path, "u16.txt", GOOD.encode("utf-16-le"))
    _write(tmp_path, "nul.txt", GOOD.encode() + b" " * 9000 + b"\n\nMore\x00 text here.")
    with pytest.warns(UnicodeWarning, match="1 NUL byte"):
        c = fb.load(tmp_path, progress=False, cache=False)
    t = c.articles.set_index("article_id")["text"]
    assert t["u16"].startswith("The ministry said 40") and "\x00" not in t["nul"] and "More text here." in t["nul"]
    df = pd.DataFrame({"article_id": ["s"], "outlet": ["Kyiv\udcff Post"], "title": ["T\ud800"],
                       "url": ["https://x.example/\udc80"], "text": [GOOD]}, dtype=object)
    c2 = fb.load(df, progress=False, cache=False)
    for col in ("outlet", "title", "url"):
        c2.articles[col].iloc[0].encode("utf-8")
    assert c2.articles.loc[0, "outlet"] == "Kyiv\ufffd Post"


def test_a_bad_parse_cache_is_bypassed_with_a_warning(tmp_path, nlp):
    db = tmp_path / "cache.sqlite"
    texts = ["Kyiv said 40 soldiers came home.", "Moscow said 41 soldiers came home."]
    cache = ParseCache(db)
    first = parse_texts(texts, nlp=nlp, cache=cache, progress=False)
    keys = [k for (k,) in cache._db.execute("SELECT key FROM parse")]
    cache._db.execute("UPDATE parse SET value = 'not json' WHERE key = ?", (keys[0],))
    cache._db.execute("UPDATE parse SET value = ? WHERE key = ?",
                      (json.dumps({"s": [[0, 5]], "e": [], "c": [], "f": []}), keys[1]))
    cache._db.commit()
    with pytest.warns(RuntimeWarning, match="damaged row"):
        again = parse_texts(texts, nlp=nlp, cache=cache, progress=False)
    assert [p.sents for p in again] == [p.sents for p in first]
    # a cache locked by another writer: the parses are used, a warning says they were not cached
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        locked = ParseCache(db, timeout=0.2)
        t = time.monotonic()
        with pytest.warns(RuntimeWarning, match="cannot be written"):
            out = parse_texts(["Minsk said 42 soldiers came home."], nlp=nlp, cache=locked, progress=False)
        assert len(out[0].sents) == 1 and time.monotonic() - t < 10
    finally:
        holder.execute("ROLLBACK")


# ================================================================ encodings (issue 12)
WESTERN = [
    "The club paid €12.5m (£10.7m) for the striker, a fee its chairman called “fair value”.",
    "Ismaël Bennacer’s agent said the talks in Zürich were “très avancées” – nothing is signed.",
    "Le ministre a déclaré : « Nous avons reçu 84 soldats », précisant que l’échange a eu lieu à Genève.",
    "Die Behörden in München bestätigten, dass 40 Gefangene übergeben wurden; Kosten: 3 000 €.",
    "El portavoz señaló que la reunión en Málaga costó 1,2 millones de euros — “un éxito”, dijo.",
]
CYRILLIC = [
    ("Министерство обороны России сообщило, что 84 военнослужащих вернулись домой 19 июня.", "cp1251"),
    ("Министерство обороны России сообщило, что 84 военнослужащих вернулись домой 19 июня.", "koi8_r"),
    ("Москва, 4 июля. «Обмен состоялся», — заявил представитель.", "cp1251"),
    ('Москва, 4 июля. "Обмен состоялся", - заявил представитель.', "koi8_r"),  # KOI8-R has no « — »
    ("Привет из Киева.", "koi8_r"),
]


@pytest.mark.parametrize("text", WESTERN)
def test_cp1252_news_text_reads_as_written(text):
    assert decode_bytes(text.encode("cp1252")) == text


@pytest.mark.parametrize("text,encoding", CYRILLIC)
def test_cyrillic_legacy_code_pages_read_as_written(text, encoding):
    assert decode_bytes(text.encode(encoding)) == text


def test_one_bad_byte_in_utf8_is_repaired_with_a_warning():
    good = "Zelensky said “84 soldiers” came home — a café in Kyiv celebrated.\n"
    data = good.encode() * 3 + "Le prix : 5 € à Noël\n".encode("cp1252") + good.encode()
    with pytest.warns(UnicodeWarning, match=r"line 4\); read as cp1252"):
        text = decode_bytes(data, "x.txt")
    assert text == good * 3 + "Le prix : 5 € à Noël\n" + good


def test_cp1252_tables_and_manifests_load_without_replacement_characters(tmp_path):
    _write(tmp_path, "t.csv", ("article_id,outlet,text\nx1,Le Monde,\"" + WESTERN[2] + "\"\n").encode("cp1252"))
    c = fb.load(tmp_path / "t.csv", progress=False, cache=False)
    assert c.articles.loc[0, "text"] == WESTERN[2]
    folder = tmp_path / "f"
    _write(folder, "a.txt", GOOD.encode())
    _write(folder, "articles.csv", "file,outlet,title\na.txt,Zürich Post,“Échange” à Genève\n".encode("cp1252"))
    c2 = fb.load(folder, progress=False, cache=False)
    assert c2.articles.loc[0, "outlet"] == "Zürich Post" and c2.articles.loc[0, "title"] == "“Échange” à Genève"


# ================================================================ command line
@pytest.mark.parametrize("argv,words", [
    (["claims", "sample_data", "--threshold", "2"], "--threshold must lie between 0 and 1"),
    (["discrepancies", "sample_data", "--match-threshold", "-5"], "--match-threshold must lie between 0 and 100"),
    (["claims", "sample_data", "--threshold", "nan"], "--threshold must lie between"),
])
def test_thresholds_are_checked(argv, words, capsys):
    code, _, err = cli(argv, capsys, cwd=ROOT)
    assert code == 2 and words in err


def test_output_path_is_checked_before_the_work(tmp_path, capsys, monkeypatch):
    import factbench.claims.load as load_mod

    def no_work(*a, **k):
        raise AssertionError("the analysis ran before the output path was checked")

    monkeypatch.setattr(load_mod, "load", no_work)
    (tmp_path / "afile").write_text("x")
    for argv, words in ((["claims", "sample_data", "-o", tmp_path / "missing/dir/x.csv"], "missing/dir does not exist"),
                        (["match", "sample_data", "-o", tmp_path], "is a folder; give a file name"),
                        (["analyse", "sample_data", "--out", tmp_path / "afile" / "sub"], "is a file, not a folder")):
        code, _, err = cli(argv, capsys, cwd=ROOT)
        assert code == 2 and "cannot write the output" in err and words in err, err
    with pytest.raises(ValueError, match="between 0 and 1"):
        fb.load(ROOT / "sample_data", threshold=2)


def test_export_count_is_what_was_written(tmp_path, corpus, capsys):
    db = tmp_path / "r.db"
    ids = list(corpus.claims["claim_id"][:4])
    with VerdictStore(db) as store:
        store.record_many(ids[:3], "supported", reviewer="ana")
        store.record(ids[3], "skip", reviewer="ana")
        store.record("not-in-corpus", "contradicted", reviewer="ana")
    out = tmp_path / "v.jsonl"
    code, stdout, err = cli(["export", db, "--format", "jsonl", "--corpus", ROOT / "sample_data", "-o", out], capsys)
    assert code == 0, err
    n = len(out.read_text().splitlines())
    assert n == 3 and "of 3 verdicts" in stdout and "2 of the 5 current verdicts left out" in stdout


def test_workbench_serves_the_project_folder_and_prints_the_notebooks_url(tmp_path):
    from factbench.cli import workbench_command

    cmd, root, url = workbench_command(ROOT / "notebooks" / "workbench.ipynb", cwd=ROOT)
    assert root == ROOT and url == "/lab/tree/notebooks/workbench.ipynb"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    p = subprocess.Popen([*cmd, "--no-browser", "--port=0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    seen = []
    try:
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            line = p.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "token=" in line and "http" in line:
                break
    finally:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
    assert any("/lab/tree/notebooks/workbench.ipynb?token=" in line for line in seen), "".join(seen[-20:])


def test_a_nul_in_a_note_is_refused_before_writing_in_every_backend(tmp_path):
    # PostgreSQL cannot store NUL; SQLite refuses it too, so any store can be merged into any other
    store = VerdictStore(tmp_path / "r.db")
    with pytest.raises(ValueError, match="note: a NUL character cannot be stored"):
        store.record("c1", "supported", reviewer="ana", note="seen\x00")
    assert len(store.to_frame()) == 0
    store.record("c1", "supported", reviewer="ana", note="seen")  # the connection is not left in a transaction
    assert store.current("ana") == {"c1": "supported"}
