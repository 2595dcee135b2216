"""The word lists of the findings stage, in one place.

>>> "exchan" in EVENT_NOUNS, "between" in CONTEXT_STOP_WORDS, PLACE_ALIASES["kiev"]
(True, True, 'kyiv')
"""

from __future__ import annotations

from spacy.lang.en.stop_words import STOP_WORDS

# Nouns of happenings whose date two reports must agree on, as six-letter stems. Not "announcement":
# a reporting verb is transparent, its date is the date of what it reports.
_EVENT_WORDS = ("exchange", "swap", "release", "talks", "negotiation", "agreement", "meeting", "summit", "attack",
                "strike", "election", "vote", "ceasefire", "deal", "treaty", "conference", "protest", "invasion",
                "offensive", "trial", "verdict", "sentence", "arrest", "visit", "speech", "debate", "launch", "crash",
                "explosion", "earthquake", "flood", "fire", "shooting", "referendum", "transfer", "handover",
                "repatriation", "return", "briefing", "interview", "session", "round", "hearing", "rally", "ceremony")
EVENT_NOUNS = frozenset(w[:6] for w in _EVENT_WORDS)

#: words that say nothing about which fact a value fills: spaCy's English stop words, and the
#: reporting words every news sentence has
CONTEXT_STOP_WORDS = frozenset(STOP_WORDS) | {"said", "says", "sides"}

#: words sharing their first this many letters are read as one ("retreat", "retreating")
STEM = 5

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")

#: one place, several names
PLACE_ALIASES = {"russian federation": "russia", "the russian federation": "russia", "u.s.": "united states",
                 "us": "united states", "usa": "united states", "the united states": "united states",
                 "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
                 "kiev": "kyiv"}

#: nouns of happenings → the class two reports of one happening share ("the talks" = "the second round
#: of negotiations"; "the swap" = "the exchange"); a date or an ordinal fills a slot of its class
EVENT_CLASS = {
    **{w: "talks" for w in ("talk", "talks", "negotiation", "negotiations", "meeting", "summit", "round")},
    **{w: "exchange" for w in ("exchange", "swap", "handover")},
    **{w: w for w in ("release", "agreement", "deal", "attack", "strike", "election", "primary", "vote", "ceasefire",
                      "treaty", "conference", "protest", "invasion", "offensive", "trial", "verdict", "arrest", "visit",
                      "speech", "debate", "launch", "crash", "explosion", "earthquake", "flood", "shooting",
                      "referendum", "hearing", "rally", "ceremony", "inauguration", "funeral", "wedding", "raid",
                      "bombing", "meeting", "interview", "announcement", "resignation", "execution", "sentencing")},
}

#: verbs that report another happening: their date is not the date of what they report
REPORTING_VERBS = frozenset({"announce", "confirm", "report", "say", "tell", "state", "declare", "reveal", "disclose",
                             "describe", "call", "note", "add", "claim", "deny", "acknowledge", "post", "write",
                             "publish", "tweet", "indicate", "verify"})

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
            "ninth": 9, "tenth": 10}

#: words before a name that are not part of it
NAME_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "gen", "general", "sen", "senator", "rep", "gov", "governor",
                         "president", "vice", "prime", "minister", "secretary", "judge", "justice", "lt", "col",
                         "colonel", "capt", "captain", "sgt", "adm", "admiral", "rev", "prof", "professor", "sir",
                         "lord", "lady", "king", "queen", "prince", "princess", "pope", "chancellor", "former",
                         "mayor", "attorney", "chief", "speaker", "leader", "director", "commissioner"})

#: nouns that describe a person and come before the name ("striker Myles Anderson", "Tottenham boss
#: Mauricio Pochettino"): not part of it, not a first name
ROLE_NOUNS = frozenset({"striker", "defender", "midfielder", "forward", "goalkeeper", "keeper", "winger", "boss",
                        "manager", "coach", "captain", "skipper", "composer", "actor", "actress", "singer", "star",
                        "schoolboy", "schoolgirl", "student", "teacher", "model", "chairman", "chairwoman", "owner",
                        "player", "driver", "rider", "jockey", "trainer", "boxer", "golfer", "batsman", "bowler",
                        "author", "writer", "presenter", "comedian", "rapper", "musician", "artist", "designer",
                        "businessman", "businesswoman", "tycoon", "billionaire", "millionaire", "officer", "detective",
                        "sergeant", "constable", "inspector", "superintendent", "police", "doctor", "nurse", "surgeon",
                        "spokesman", "spokeswoman", "spokesperson", "host", "anchor", "reporter", "journalist",
                        "editor", "producer", "director", "chef", "pilot", "soldier", "veteran", "mother", "father",
                        "son", "daughter", "wife", "husband", "brother", "sister", "girlfriend", "boyfriend", "widow",
                        "grandmother", "grandfather", "uncle", "aunt", "cousin", "spaniard", "frenchman", "dutchman",
                        "englishman", "scotsman", "welshman", "irishman", "american", "briton", "australian", "aussie",
                        "international", "legend", "veteran", "rookie", "youngster", "teenager", "pensioner",
                        "east", "west", "north", "south", "new", "old", "great", "little", "big", "st", "saint",
                        "fort", "port", "lake", "mount", "cape", "san", "santa", "los", "las", "united", "city"})

#: words inside a surname ("Vicente del Bosque", "Stefan de Vrij", "Izzat Ibrahim al-Douri") and
#: after one ("Robert Downey Jr.")
SURNAME_PARTICLES = frozenset({"de", "del", "della", "der", "den", "van", "von", "da", "di", "du", "dos", "das", "la",
                               "le", "al", "el", "bin", "ibn", "ben", "mac", "st", "ter", "ten", "zu"})
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
