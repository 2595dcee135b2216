"""Events and discrepancy flags: every wrong value issue 11 lists, the sample's real conflicts, the
panel's dismiss action, and (when the development data is present) the basil_dev figures."""

from __future__ import annotations

import sys

import pandas as pd
import pytest

import factbench as fb
from factbench import schema
from factbench.findings.discrepancies import discrepancies
from factbench.findings.events import with_events
from factbench.findings.facts import person_key, statement_facts
from factbench.review.render import claim_view, render_claim
from factbench.review.session import ReviewSession
from factbench.storage.store import StoreError, VerdictStore

from conftest import DEVDATA, ROOT


def pair(a: str, b: str, **extra) -> pd.DataFrame:
    """Two claims of one event from two outlets, matched."""
    claims = pd.DataFrame({"claim_id": ["l", "r"], "article_id": ["1", "2"], "outlet": ["X", "Y"], "text": [a, b],
                           **extra})
    return discrepancies(claims, pd.DataFrame({"claim_id_l": ["l"], "claim_id_r": ["r"], "score": [90.0]}))


# ------------------------------------------------------------------ values that are not disagreements

@pytest.mark.parametrize("a,b", [
    # units and durations
    ("The prisoners were held for three weeks before the swap.", "The prisoners were held for 21 days before the swap."),
    # bounds: "more than two years" includes two years and some
    ("He has been held for more than two years, his lawyer said.", "He has been held for two years, his lawyer said."),
    # shares written two ways
    ("Boehner gave Republicans a two-in-three chance of keeping the House.",
     "Boehner gave Republicans a 2 in 3 chance of keeping the House."),
    # one person, name variants and titles
    ("Michael Flynn resigned on Monday night after the report.",
     "Michael T. Flynn resigned on Monday night after the report."),
    ("Jacob Lew signed the letter on Friday.", "Treasury Secretary Jacob J. Lew signed the letter on Friday."),
    # rounding: "about 140" is 135-145
    ("About 140 people were arrested in the protest.", "Police said 141 people were arrested in the protest."),
    # vague quantities are never facts
    ("Dozens of people were arrested in the protest.", "Thousands of people were arrested in the protest."),
    # "world No 4" is a rank, not a negation, nor a count
    ("Murray, the world No 4, beat Federer on Sunday.", "Murray, the world number four, beat Federer on Sunday."),
    # the two sides of one chance
    ("Boehner gave Republicans a two-in-three chance of holding the House.",
     "Boehner said there is a one-in-three chance of losing the House."),
])
def test_not_a_disagreement(a, b):
    assert pair(a, b).empty


def test_world_no_4_is_not_a_negation():
    f = statement_facts("Murray, the world No 4, beat Federer on Sunday.")
    assert not any(f.negated_verbs.values())
    assert not [v for v in f.values if v.kind == "number"]


def test_weekday_never_checked_against_an_assumed_year():
    claims = pd.DataFrame({"claim_id": ["a"], "article_id": ["1"], "outlet": ["X"],
                           "text": ["The exchange took place on Thursday, June 20."]})
    assert discrepancies(claims).empty  # no year stated: no weekday check, whatever the publication year
    # a weekday against a day of a year the text states is checked
    flags = pair("The vote was held on Tuesday, officials said.", "The vote was held on March 6, 2024, officials said.")  # a Wednesday
    assert flags.loc[0, "kind"] == "date" and "is a" in flags.loc[0, "explanation"]


def test_name_keys():
    assert person_key("Michael Flynn") == person_key("Michael T. Flynn") == person_key("Gen. Michael Flynn")
    assert person_key("Jacob Lew")[0] == person_key("Mr. Jacob J. Lew")[0] == "lew"


# ------------------------------------------------------------------ values that are

def test_house_vote_tuesday_vs_wednesday():
    flags = pair("The House voted on Tuesday to approve the spending bill.",
                 "The House voted Wednesday to approve the spending bill.")
    assert flags.loc[0, ["kind", "value_l", "value_r", "norm_l", "norm_r"]].tolist() == \
        ["date", "Tuesday", "Wednesday", "tuesday", "wednesday"]


def test_15_bills_vs_some_16_measures():
    # "some 16" is 16 rounded at its last digit (15.5-16.5): it cannot be 15
    flags = pair("The House has passed 15 bills on the economy this year.",
                 "The House has passed some 16 House-passed measures on the economy this year.")
    row = flags.iloc[0]
    assert (row.kind, row.value_l, row.value_r, row.norm_l, row.norm_r) == ("number", "15", "some 16", "15", "15.5–16.5")


def test_a_flag_explains_itself():
    row = pair("Police said 12 people were killed in the blast.", "Police said 15 people were killed in the blast.").iloc[0]
    assert list(row.index) == list(schema.TABLES["flags"])
    assert row.text_l.startswith("Police said 12") and row.text_r.startswith("Police said 15")
    assert row.role == "number of people" and "do not overlap" in row.explanation
    assert 0.5 <= row.confidence <= 1 and row.flag_id.startswith("f")
    # the id is stable: the same two claims and values give the same id
    assert pair("Police said 12 people were killed in the blast.",
                "Police said 15 people were killed in the blast.").iloc[0].flag_id == row.flag_id


def test_flags_sorted_by_confidence_and_filtered():
    claims = pd.DataFrame({"claim_id": list("abcd"), "article_id": list("1234"), "outlet": list("WXYZ"), "text": [
        "Police said 12 people were killed in the blast.", "Police said 15 people were killed in the blast.",
        "The delegation from South Korea arrived in Geneva.", "The delegation from North Korea arrived in Geneva."]})
    pairs = pd.DataFrame({"claim_id_l": ["a", "c"], "claim_id_r": ["b", "d"], "score": [90.0, 90.0]})
    flags = discrepancies(claims, pairs)
    assert flags["confidence"].tolist() == sorted(flags["confidence"], reverse=True) and len(flags) == 2
    assert len(discrepancies(claims, pairs, min_confidence=0.75)) == 1


def test_different_events_are_context_not_contradiction():
    claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"],
                           "event_id": ["e1", "e2"],
                           "text": ["The exchange took place on July 4.", "The exchange took place on June 20."]})
    pairs = pd.DataFrame({"claim_id_l": ["a"], "claim_id_r": ["b"], "score": [90.0]})
    assert discrepancies(claims, pairs).empty
    assert len(discrepancies(claims.assign(event_id="e1"), pairs)) == 1


def test_unrelated_places_are_not_flagged():
    # the old fact-slot route: "places differ: 'Texas' vs 'Arizona' (context: immigr)"
    claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"], "text": [
        "Border agents in Texas detained migrants on immigration charges.",
        "A judge in Arizona ruled on immigration detention rules."]})
    assert discrepancies(claims).empty


# ------------------------------------------------------------------ events on the sample

def test_events_of_the_sample(corpus):
    ev = fb.events(corpus)
    assert list(ev.columns) == list(schema.TABLES["events"])
    by = dict(zip(corpus.articles["source_path"].map(lambda p: p.rsplit("/", 1)[-1][:3]), ev["event_id"]))
    assert by["000"] == by["001"] == by["004"]
    assert len({by["000"], by["002"], by["003"]}) == 3
    july = ev.loc[ev["event_id"] == by["000"]].iloc[0]
    assert "--07-04" in [d if d.startswith("-") else "--" + d for d in july["dates"]] and "July 4" in july["label"]
    # the claims carry their event
    assert set(corpus.claims["event_id"]) == set(ev["event_id"])
    pairs = with_events(fb.match(corpus, progress=False), ev)
    same = pairs["article_id_l"].map(dict(zip(ev.article_id, ev.event_id))) == \
        pairs["article_id_r"].map(dict(zip(ev.article_id, ev.event_id)))
    assert ((pairs["event_id"] != "") == same).all()


def test_events_split_on_dates_and_publication():
    arts = pd.DataFrame({"article_id": list("abc"), "title": ["", "", ""],
                         "published": ["2024-03-01", "2024-03-02", "2024-05-20"],
                         "text": ["Russia and Ukraine exchanged 90 prisoners of war in Istanbul talks today."] * 3})
    ev = fb.events(arts)
    assert ev.event_id[0] == ev.event_id[1] != ev.event_id[2]


# ------------------------------------------------------------------ the panel: dismissing a flag

def test_dismiss_a_flag_in_the_session(corpus):
    pairs = fb.match(corpus, progress=False)
    flags = fb.discrepancies(corpus, pairs)
    store = VerdictStore(":memory:")
    ev = fb.events(corpus)
    s = ReviewSession(corpus, store=store, reviewer="ana", pairs=pairs, flags=flags, events=ev,
                      filter={"has_discrepancy": True})
    flagged_before = list(s.queue)
    assert flagged_before
    target = flags.iloc[0]
    s.goto(target.claim_id_l if target.claim_id_l in s.queue else target.claim_id_r)
    html = render_claim(claim_view(s))
    assert "confidence" in html and target.flag_id in html and "event " in html
    out = s.dismiss_flag(target.flag_id, note="same exchange? no: announced in advance")
    assert out.ok
    log = store.to_frame()
    assert log.iloc[-1][["claim_id", "verdict", "reviewer"]].tolist() == [target.flag_id, "dismissed", "ana"]
    assert "dismissed" in render_claim(claim_view(s)) or not s.queue or s.current_id not in flagged_before
    assert len(s.queue) < len(flagged_before) or len(flags) > 1
    assert not s.dismiss_flag(target.flag_id).ok  # once is enough
    # a new session reads the dismissal back from the log; hints leave the dismissed flag out
    s2 = ReviewSession(corpus, store=store, reviewer="ana", flags=flags)
    assert target.flag_id in s2.index.dismissed and target.flag_id not in s2.verdicts
    h = fb.hints(corpus, pairs, None, flags, dismissed=s2.index.dismissed).set_index("claim_id")["hint"]
    assert h.get(target.claim_id_l, "") != "contradicted" or len(flags) > 1
    # undo brings it back
    assert s2.undo() == target.flag_id and target.flag_id not in s2.index.dismissed


def test_dismissal_in_an_old_store_is_refused(tmp_path):
    import sqlite3

    from factbench.storage import store as store_module

    # a store written before dismissals existed: its CHECK lists the four claim verdicts only
    old = tmp_path / "old.db"
    db = sqlite3.connect(old)
    db.executescript(";\n".join(s.replace(", 'dismissed'", "") for s in store_module._SCHEMA) + ";")
    db.execute(f"PRAGMA application_id={store_module.APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={store_module.SCHEMA_VERSION}")
    db.commit()
    db.close()
    st = VerdictStore(str(old))
    st.record("c1", "supported", reviewer="ana")  # claim verdicts still work
    with pytest.raises(StoreError, match="before flags could be dismissed"):
        st.record("f123", "dismissed", reviewer="ana")
    assert len(st.to_frame()) == 1
    # a new store takes them; an unknown verdict is refused
    new = VerdictStore(str(tmp_path / "new.db"))
    new.record("f123", "dismissed", reviewer="ana")
    assert new.current("ana") == {"f123": "dismissed"}
    with pytest.raises(ValueError):
        new.record("c1", "dismissed-ish", reviewer="ana")


def test_dismissals_are_not_verdicts_in_agreement():
    st = VerdictStore(":memory:")
    for reviewer, verdict in (("ana", "supported"), ("bo", "contradicted")):
        st.record("c1", verdict, reviewer=reviewer)
        st.record("f1", "dismissed", reviewer=reviewer)
    st.record("c2", "supported", reviewer="ana")
    st.record("c2", "supported", reviewer="bo")
    row = fb.agreement(st).iloc[0]
    assert row["cohen_kappa"] == pytest.approx(0.0)  # c1 differs, c2 agrees: f1 is no item
    assert list(fb.disagreements(st)["claim_id"]) == ["c1"]


def test_hints_contradicted_only_from_flags():
    claims = pd.DataFrame({"claim_id": list("abc"), "outlet": list("XYZ"), "sourcing": ["named"] * 3})
    groups = pd.DataFrame({"claim_id": list("abc"), "group_id": ["g"] * 3})
    flags = pd.DataFrame({"flag_id": ["f1"], "claim_id_l": ["a"], "claim_id_r": ["b"], "kind": ["number"],
                          "explanation": ["number of people: '12' vs '15'"]})
    h = fb.hints(claims, None, groups, flags).set_index("claim_id")
    assert h.at["a", "hint"] == h.at["b", "hint"] == "contradicted" and "'12' vs '15'" in h.at["a", "reason"]
    assert h.at["c", "hint"] != "contradicted"  # only in the group of a flagged statement
    assert (fb.hints(claims, None, groups, flags, dismissed={"f1"})["hint"] != "contradicted").all()


# ------------------------------------------------------------------ the figures on development data

@pytest.mark.skipif(not (DEVDATA / "basil_dev").exists(), reason="development data not present")
def test_basil_dev_figures():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from eval_findings import eval_basil

    res = eval_basil(DEVDATA, verbose=False)
    assert res["basil_flags_per_event"] <= 1
    assert res["basil_flag_precision"] >= 0.5
    assert res["basil_disagreements_found"] >= 3


# ------------------------------------------------------------------ a text against its source

from factbench.findings.source import check_text, truecase  # noqa: E402

SOURCE = ["Natalia Moon moved to the Philippines in 2012 after struggling to find work in Australia.",
          "The 23-year-old landed a role in the sitcom Ismol Family, which premiered on Sunday.",
          "Mr Milner said the United States team had won two of its three games.",
          "British officials met the Unite union on April 26."]


@pytest.mark.parametrize("summary", [
    "Natalia Moon moved to the Philippines in 2012.",
    "natalia moon moved to the philippines in 2012 .",  # a lower-case summary takes the source's spelling
    "Moon's sitcom premiered on Sunday.",  # a person by the surname; a possessive
    "The U.S. team won 2 of its 3 games, Milner said.",  # "U.S." is the United States; "two" is 2
    "Officials from Britain met the union on April 26.",  # "British" and "Britain"
    "UNK moved to the Philippines.",  # a summariser's placeholder is no value
])
def test_summary_values_the_source_has_are_not_flagged(summary):
    assert check_text(SOURCE, [summary]) == []


def test_values_absent_from_the_source_are_flagged_with_reasons():
    rows = check_text(SOURCE, ["Natalia Moon moved to Japan in 2016 after a role in Ismol Family.",
                               "Adam Milner said the team won four games on April 28."])
    got = {(r["i"], r["kind"], r["value_r"]) for r in rows}
    assert (0, "place", "Japan") in got and (0, "date", "2016") in got
    assert (1, "person", "Adam Milner") in got  # the source names only "Mr Milner"
    assert (1, "number", "four") in got and (1, "date", "April 28") in got
    assert not any(r["value_r"] in ("Natalia Moon", "Ismol Family") for r in rows)
    first = next(r for r in rows if r["value_r"] == "Adam Milner")
    assert "never as 'Adam'" in first["why"] and first["norm_l"] == "absent"
    assert all(0 < r["confidence"] < 1 and r["why"] for r in rows)


def test_value_contradicting_the_aligned_sentence():
    rows = check_text(["Villa lost 2-1 to United at Wembley on April 12, a week after the draw."],
                      ["Villa lost 2-1 to United at Wembley on April 19."])
    assert len(rows) == 1
    r = rows[0]
    assert (r["kind"], r["value_l"], r["value_r"]) == ("date", "April 12", "April 19")
    assert "aligned" in r["why"] and "nowhere in the source" in r["why"]


def test_truecase_keeps_offsets_and_leaves_cased_text_alone():
    src = "Yesterday Natalia Moon left for the Philippines."
    t = truecase("natalia moon left . she sang in the philippines", src)
    assert t == "Natalia Moon left . She sang in the Philippines"
    assert truecase("Natalia moon left", src) == "Natalia moon left"


def test_discrepancies_against_source_public_api():
    df = pd.DataFrame({"text": [" ".join(SOURCE), "Natalia Moon moved to Japan in 2012. She won 2 games."],
                       "outlet": ["article", "summary"], "title": ["", ""], "published": ["", ""]})
    corpus = fb.load(df, progress=False, threshold=0.0)
    flags = fb.discrepancies(corpus, against_source="article")
    assert list(flags.columns) == list(schema.TABLES["flags"])
    assert flags.value_r.tolist() == ["Japan"]
    r = flags.iloc[0]
    assert r.value_l == "Philippines" and "Natalia Moon moved to the Philippines" in r.text_l
    assert r.text_r == "Natalia Moon moved to Japan in 2012." and r.claim_id_r and r.flag_id.startswith("f")
    assert "'Philippines' in the source vs 'Japan'" in r.explanation
    # an article id names the source as well as an outlet does
    src_id = corpus.articles.article_id[corpus.articles.outlet == "article"].iloc[0]
    assert fb.discrepancies(corpus, against_source=src_id).flag_id.tolist() == flags.flag_id.tolist()
    with pytest.raises(ValueError, match="nowhere"):
        fb.discrepancies(corpus, against_source="nowhere")
    with pytest.raises(TypeError):
        fb.discrepancies(corpus.claims, against_source="article")


def test_a_surname_in_another_transliteration_is_present():
    src = ["Ukrainian President Volodymyr Zelenskyy confirmed the exchange on Friday."]
    assert check_text(src, ["Zelensky confirmed the exchange.", "Zelenskiy confirmed it on Friday."]) == []
    rows = check_text(src, ["Zelensky and Peskov confirmed the exchange."])
    assert [(r["kind"], r["value_r"]) for r in rows] == [("person", "Peskov")]


def test_cli_discrepancies_against_source(tmp_path, capsys):
    from factbench.cli import main

    folder = tmp_path / "texts"
    folder.mkdir()
    (folder / "article.txt").write_text(" ".join(SOURCE), encoding="utf-8")
    (folder / "summary.txt").write_text("Natalia Moon moved to Japan in 2012. She won 2 games.", encoding="utf-8")
    out = tmp_path / "flags.csv"
    assert main(["discrepancies", str(folder), "--against-source", "nowhere", "-o", str(out)]) == 2
    assert "names no article id or outlet" in capsys.readouterr().err and not out.exists()
    corpus = fb.load(folder, progress=False)
    src_id = corpus.articles.article_id[corpus.articles.article_id.str.startswith("article")].iloc[0]
    assert main(["discrepancies", str(folder), "--against-source", src_id, "-o", str(out)]) == 0
    flags = pd.read_csv(out)
    assert flags.value_r.tolist() == ["Japan"] and flags.value_l.tolist() == ["Philippines"]


MOORE_FOX = ("She told the newspaper that Moore, then an assistant district attorney, first approached her in 1979 "
             "outside a courtroom in Alabama where she was sitting with her mother.")
MOORE_NYT = ("The Washington Post reported that, in early 1979, Mr. Moore, then a district attorney and later the chief "
             "justice of the state Supreme Court, had approached a 14-year-old.")


def test_a_titles_rank_then_is_a_disagreement():
    claims = pd.DataFrame({"claim_id": ["l", "r"], "article_id": ["1", "2"], "outlet": ["FOX", "NYT"],
                           "text": [MOORE_FOX, MOORE_NYT]})
    f = discrepancies(claims, None)  # not matched: they meet on the full role "what Moore was then"
    assert f[["kind", "value_l", "value_r"]].values.tolist() == [["title", "assistant district attorney",
                                                                  "district attorney"]]
    assert "rank" in f.explanation[0] and "what moore was then" in f.role[0]


@pytest.mark.parametrize("other", [
    MOORE_NYT.replace("then a district attorney", "then a prosecutor"),  # another word for the job: both may hold
    MOORE_NYT.replace("then a district attorney", "a district attorney"),  # no "then": not the title at that time
    MOORE_NYT.replace("Mr. Moore", "Mr. Smith"),  # another person
])
def test_titles_that_can_both_hold(other):
    claims = pd.DataFrame({"claim_id": ["l", "r"], "article_id": ["1", "2"], "outlet": ["FOX", "NYT"],
                           "text": [MOORE_FOX, other]})
    assert not (discrepancies(claims, None).kind == "title").any()
