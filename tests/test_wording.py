"""Words a text uses that its source never does (kind "wording" of ``against_source``). Sentences
written for these tests."""

from __future__ import annotations

import pandas as pd

import factbench as fb
from factbench.findings.source import check_text
from factbench.findings.syntax import parse
from factbench.findings.wording import novel_words, source_vocabulary, unsupported

REPORT = ["Firefighters spent the night at the recycling plant in Ashford after the blaze started on Tuesday.",
          "The council said residents should keep their windows closed.",
          "Two workers were treated in hospital for smoke inhalation."]


def _wording(rows):
    return [r for r in rows if r["kind"] == "wording"]


def test_a_sentence_saying_what_the_source_does_not_is_flagged_with_its_words():
    rows = _wording(check_text(REPORT, ["The blaze at the plant was started deliberately by arsonists, police believe."]))
    assert len(rows) == 1
    r = rows[0]
    # "deliberately" is an adverb: nouns, verbs and adjectives carry what a sentence says
    assert (r["value_r"], r["norm_r"]) == ("arsonists, police, believe", "arsonist believe police")
    assert r["norm_l"] == "absent" and r["value_l"] == ""
    assert r["why"] == "3 of its 6 content words appear nowhere in the source, in any form"
    assert r["confidence"] == 0.625  # 0.5 + a quarter of the share new
    assert r["j"] == 0  # the source sentence it is aligned to


def test_the_source_in_other_forms_is_not_new_wording():
    # inflections, lemmas and shared stems: "treated" / "treatment", "closed" / "close", "started" / "start"
    for summary in ["Firefighters spent a night at the plant after a blaze started.",
                    "Residents should close their windows, the council said.",
                    "Two workers needed hospital treatment for inhaling smoke."]:
        assert _wording(check_text(REPORT, [summary])) == [], summary


def test_names_numbers_and_placeholders_are_not_content_words():
    # names and numbers are read as values (flagged as absent names and numbers), not as wording
    known = source_vocabulary(parse(REPORT))
    doc = parse(["Ten workers from Kent were treated in hospital, UNK said."])[0]
    assert novel_words(doc, known) == []


def test_one_new_word_in_a_long_sentence_is_not_enough():
    summary = "Firefighters spent the night at the recycling plant after the blaze started, and the council told residents to keep windows closed."
    doc = parse([summary])[0]
    new, n = unsupported(doc, source_vocabulary(parse(REPORT)))
    assert new == [] and n >= 10  # "told" is new, one of more than ten
    assert _wording(check_text(REPORT, [summary])) == []


def test_a_sentence_with_a_flagged_value_gets_no_second_wording_flag():
    rows = check_text(REPORT, ["Nine arsonists from Dover torched the warehouse."])
    assert {r["kind"] for r in rows} >= {"number", "place"}
    assert _wording(rows) == []


def test_wording_flags_give_no_contradicted_hint_through_the_public_api():
    df = pd.DataFrame({"text": [" ".join(REPORT), "Police believe arsonists deliberately torched the warehouse."],
                       "outlet": ["article", "summary"]})
    corpus = fb.load(df, progress=False, threshold=0.0)
    flags = fb.discrepancies(corpus, against_source="article")
    assert flags.kind.tolist() == ["wording"]
    assert "appear nowhere in the source" in flags.explanation[0]
    h = fb.hints(corpus, flags=flags).set_index("claim_id")
    mine = flags.claim_id_r[0]
    assert h.hint[mine] == "" and "appear nowhere in the source" in h.reason[mine]
    assert "contradicted" not in set(h.hint)
