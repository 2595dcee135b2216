"""The word lists of the claims stage, in one place: check-worthiness's lexical features and the
verbs that attribute speech.

>>> bool(LEXICAL_FEATURES["percent"].search("unemployment fell to 3.5 per cent"))
True
"""

from __future__ import annotations

import re

def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.I)


LEXICAL_FEATURES: dict[str, re.Pattern] = {
    "digits": re.compile(r"\d"),
    "percent": _rx(r"\d\s*%|\bper\s?cent\b|\bpercentage\b"),
    "money": _rx(r"[$€£]\s?\d|\b(dollars?|euros?|pounds|trillion|billion|million|budget|tax(es)?|deficit|debt|spending)\b"),
    "number_words": _rx(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|twice|doubled?|tripled?)\b"),
    "year": re.compile(r"\b(19|20)\d\d\b"),
    "comparison": _rx(r"\b(more|less|fewer|higher|lower|larger|smaller|bigger|greater|increase[sd]?|decrease[sd]?|rose|risen|fell|fallen|drop(ped)?|grew|grown|cut|raised?|largest|biggest|highest|lowest|most|least|record|worst|best|times\s+(as|more)|than|only|every|all|never|always)\b"),
    "past_event": _rx(r"\b(was|were|had|did|voted|passed|signed|killed|died|lost|won|created|spent|paid|sold|bought|approved|rejected|announced|confirmed|released|returned|arrested|launched|attacked|invaded|agreed|reached|held|took|made|became|increased|decreased|added)\b"),
    "attribution": _rx(r"\b(said|says|told|stated|according\s+to|reported|announced|confirmed|claimed|posted|wrote|citing|cited)\b"),
    "institution": _rx(r"\b(government|ministry|minister|president|congress|senate|parliament|court|police|army|military|agency|department|administration|federal|state|country|countries|nation|law|bill|act|treaty|agreement|report|study|data|statistics)\b"),
    "policy_terms": _rx(r"\b(jobs?|unemployment|economy|wages?|income|healthcare|insurance|medicare|medicaid|social\s+security|immigra\w*|border|crime|murders?|deaths?|killed|war|troops|soldiers|prisoners?|nuclear|climate|energy|oil|trade|deal|tariffs?|china|mexico|iran|russia|ukraine)\b"),
    "question": re.compile(r"\?\s*[\"'”’)]*\s*$"),
    "thanks_greeting": _rx(r"\b(thank(s| you)|good (evening|morning|night|afternoon)|welcome|hello|applause|laughter|congratulations|god bless|pleasure|honou?red)\b"),
    "first_person_opinion": _rx(r"\b(i|we)\s+(think|believe|feel|hope|want|wish|guess|suppose|love|like|agree|disagree)\b|\bin my (opinion|view)\b|\bfrankly\b|\bi'm (sure|not sure|glad)\b"),
    "future_promise": _rx(r"\b(will|going to|gonna|would|plan to|'ll)\b"),
    "modal": _rx(r"\b(should|could|might|must|may|can)\b"),
    "first_person": _rx(r"\b(i|me|my|i'm|i've|i'd)\b"),
    "second_person": _rx(r"\b(you|your|you're)\b"),
    "hedge": _rx(r"\b(reportedly|allegedly|suggest(s|ed)?|rumou?red|it (has been|is|was) reported|may have|might have|appears? to)\b"),
    "quote": re.compile(r"[\"“”]"),
    "interjection": _rx(r"^\W*(well|oh|look|yes|no|okay|ok|right|sure|wow|uh|um)\b"),
}


#: verbs and phrases that attribute a statement to a source (a regex alternation)
SPEECH_VERBS = (r"said|says|say|stated|states|told|tells|posted|wrote|writes|announced|announces|confirmed|confirms|"
          r"reported|reports|noted|notes|added|adds|claimed|claims|emphasi[sz]ed|acknowledged|insisted|"
          r"indicated|reiterated|declared|tweeted|explained|warned|argued|verified|revealed|disclosed|"
          r"stressed|hinted|denied|admitted|according\s+to|citing|cited")
