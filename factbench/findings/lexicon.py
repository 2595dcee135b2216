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

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")

#: one place, several names
PLACE_ALIASES = {"russian federation": "russia", "the russian federation": "russia", "u.s.": "united states",
                 "us": "united states", "usa": "united states", "the united states": "united states",
                 "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
                 "kiev": "kyiv"}
