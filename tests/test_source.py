"""A text read against its source (``fb.discrepancies(corpus, against_source=...)``): people's first
names, ordinals and names made of the source's words. Sentences written for these tests."""

from __future__ import annotations

import pytest

from factbench.findings.names import _first_name_missing, _name_words
from factbench.findings.source import SourceIndex, check_text

CLUB = ["Coach Daniel Ortega praised the squad after the 3-1 win.",
        "Ortega, 41, said that Helen Park would lead the board.",
        "Mrs Baxter resigned on Monday, the club said.",
        "Manager Luis de la Fuente named his squad; De la Fuente wants a quick start.",
        "Actor Michael Brandt Jr. watched from the stand, as did Omar Hassan al-Rashid."]


def _people(rows):
    return {(r["value_r"], r["why"]) for r in rows if r["kind"] == "person"}


def test_a_first_name_the_source_gives_the_surname_otherwise_is_flagged():
    rows = check_text(CLUB, ["Samuel Ortega praised the squad."])
    assert _people(rows) == {("Samuel Ortega", "the source names this person 'Daniel Ortega', never 'Samuel Ortega'")}
    assert rows[0]["norm_l"] == "absent" and rows[0]["role"] == "first name of a person the source names"


def test_a_first_name_the_source_gives_only_to_someone_else_is_flagged():
    rows = check_text(CLUB, ["Helen Baxter resigned on Monday."])
    assert _people(rows) == {("Helen Baxter", "the source gives 'Helen' only to another person ('Helen Park'), "
                                              "and calls this one 'Baxter'")}
    # a first name the source also uses on its own (a person called by it) may be this one's
    assert check_text(CLUB + ["Helen thanked the fans."], ["Helen Baxter resigned on Monday."]) == []


@pytest.mark.parametrize("summary", [
    "Daniel Ortega praised the squad.",  # as the source names him
    "Mr Ortega praised the squad.",  # a title, no first name
    "Luis de la Fuente named his squad.",  # a surname with particles
    "Michael Brandt watched from the stand.",  # "Jr." dropped
    "Omar Hassan al-Rashid watched.",  # three names, as the source gives them
    "Coach Daniel Ortega said the club would win.",  # a role noun before the name
])
def test_names_the_source_gives_are_not_flagged(summary):
    assert _people(check_text(CLUB, [summary])) == set()


def test_a_lower_case_summary_reads_full_names_from_its_own_parse():
    # "samuel" is no word of the source, so the source cannot case it; the summary's own parse reads
    # "samuel ortega" as one person (not "Ortega" alone), without the role noun before it
    rows = check_text(CLUB, ["striker samuel ortega praised the squad ."])
    assert ("samuel ortega", "the source names this person 'Daniel Ortega', never 'samuel ortega'") in _people(rows)
    assert check_text(CLUB, ["coach daniel ortega praised the squad ."]) == []


def test_name_words_drop_roles_and_suffixes_and_keep_particles():
    src = SourceIndex(["The striker scored."])
    assert _name_words("striker Samuel Ortega", src) == ["Samuel", "Ortega"]
    assert _name_words("Club boss Daniel Ortega") == ["Daniel", "Ortega"]
    assert _name_words("Luis de la Fuente") == ["Luis", "de la Fuente"]
    assert _name_words("Michael Brandt Jr.") == ["Michael", "Brandt"]


def test_places_before_a_surname_are_not_first_names():
    src = SourceIndex(["Fans in Galway cheered.", "Galway United won.", "United fans sang."])
    assert "galway" not in src.first_names.get("united", set())
    assert _first_name_missing("Galway United", src) == ("", "")  # not "a person the source calls otherwise"


def test_an_ordinal_must_be_that_very_number():
    src = ["Up to 400 people marked the 100th anniversary of the landings."]
    rows = check_text(src, ["People marked the 70th anniversary of the landings."])
    assert [(r["kind"], r["value_r"], r["norm_r"]) for r in rows] == [("number", "70th", "70")]
    assert check_text(src, ["About 400 people marked the 100th anniversary."]) == []


def test_a_name_made_of_source_words_needs_them_together():
    src = ["The European Union met in Brussels.", "The Commission spoke later.", "The Olympics in Rio opened."]
    rows = check_text(src, ["The European Commission met in Brussels."])
    assert [(r["kind"], r["why"]) for r in rows] == [("name", "this name appears nowhere in the source")]
    assert check_text(src, ["The Rio Olympics opened."]) == []  # the words stand together in one sentence


def test_one_place_by_either_of_its_names():
    assert check_text(["Britain voted on Thursday."], ["Great Britain voted on Thursday."]) == []
    assert check_text(["The United Kingdom voted on Thursday."], ["Britain voted on Thursday."]) == []


BOAT = ["Peter Novak, 52, sailed his small yacht across the bay on Sunday, his brother Karl Novak said.",
        "The dog that Karl owns with Ines Vogel, swam back to the harbour wall in the storm.",
        "Lena Fischer and Tom Brandt will be given the city's bravery medal next week."]


def test_words_the_source_says_of_someone_else_are_flagged():
    rows = check_text(BOAT, ["Karl Novak sailed his small yacht across the bay on Sunday."])
    moved = [r for r in rows if r["norm_l"] != "absent"]
    assert [(r["kind"], r["value_l"], r["value_r"], r["j"]) for r in moved] == [("person", "Peter Novak", "Karl Novak", 0)]
    assert moved[0]["why"] == "the source says 'sailed his small yacht across the bay on Sunday' of Peter Novak, not of Karl Novak"
    assert moved[0]["role"].startswith("who sailed his small yacht")


@pytest.mark.parametrize("summary", [
    "Peter Novak, 52, sailed his small yacht across the bay.",  # the person the source says it of
    "Novak sailed his small yacht across the bay on Sunday.",  # the surname alone
    "Ines Vogel swam back to the harbour wall in the storm.",  # in the source an aside closes before the words
    "Tom Brandt will be given the city's bravery medal next week.",  # one of two people the source says it of
    "Lena Fischer will be given the city's bravery medal next week.",  # the other one, named earlier
])
def test_words_said_of_this_person_or_of_no_one_named_are_not_flagged(summary):
    assert [r for r in check_text(BOAT, [summary]) if r["norm_l"] != "absent"] == []


def test_words_the_source_puts_before_another_person_are_flagged():
    src = ["The manager left out Rosa Klein and Ada Moreau for the cup final in May.",
           "Tickets went on sale after the release of the film Storm Season: The Return.",
           "Nina Berger scored twice in the semi-final."]
    rows = [r for r in check_text(src, ["The manager left out Rosa Klein and Nina Berger."])
            if r["norm_l"] != "absent"]
    assert [(r["value_l"], r["value_r"]) for r in rows] == [("Ada Moreau", "Nina Berger")]
    assert rows[0]["why"] == "in the source 'The manager left out Rosa Klein and' is followed by Ada Moreau, not Nina Berger"
    # the same person, and a name the source's parse does not read as a person, are not flagged
    assert [r for r in check_text(src, ["The manager left out Rosa Klein and Ada Moreau."]) if r["norm_l"] != "absent"] == []
    assert [r for r in check_text(src, ["Tickets went on sale after the release of the film Nina Berger."])
            if r["norm_l"] != "absent"] == []
