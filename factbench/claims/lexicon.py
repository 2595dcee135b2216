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


def _forms(*stems: str) -> frozenset[str]:
    """Word forms from "stem/form2/form3…" entries (lower case)."""
    return frozenset(f for stem in stems for f in stem.split("/"))


#: verbs that attribute what follows to their subject, whatever its shape
STRONG_SPEECH = _forms(
    "say/says/said/saying", "tell/tells/told/telling", "state/states/stated/stating",
    "announce/announces/announced/announcing", "tweet/tweets/tweeted/tweeting", "write/writes/wrote/writing",
    "post/posts/posted", "claim/claims/claimed/claiming", "confirm/confirms/confirmed/confirming",
    "add/adds/added/adding", "note/notes/noted/noting", "explain/explains/explained/explaining",
    "argue/argues/argued/arguing", "insist/insists/insisted/insisting", "warn/warns/warned/warning",
    "acknowledge/acknowledges/acknowledged/acknowledging", "admit/admits/admitted/admitting",
    "deny/denies/denied/denying", "report/reports/reported/reporting", "reiterate/reiterates/reiterated",
    "stress/stresses/stressed", "emphasize/emphasizes/emphasized/emphasise/emphasises/emphasised",
    "reveal/reveals/revealed", "disclose/discloses/disclosed", "assert/asserts/asserted", "contend/contends/contended",
    "vow/vows/vowed", "promise/promises/promised", "pledge/pledges/pledged", "predict/predicts/predicted",
    "ask/asks/asked", "reply/replies/replied", "respond/responds/responded", "answer/answers/answered",
    "testify/testifies/testified", "recall/recalls/recalled", "concede/concedes/conceded",
    "complain/complains/complained", "allege/alleges/alleged", "quip/quipped", "joke/joked",
    "remark/remarked", "comment/commented", "continue/continues/continued",
    "boast/boasted", "suggest/suggests/suggested", "urge/urges/urged", "blame/blames/blamed",
    "alert/alerts/alerted",
    "accuse/accuses/accused", "criticize/criticizes/criticized/criticise/criticised", "praise/praises/praised",
    "blast/blasts/blasted", "describe/describes/described", "express/expresses/expressed",
    "indicate/indicates/indicated", "hint/hinted", "cite/cites/cited", "conclude/concludes/concluded",
    "decry/decries/decried", "condemn/condemns/condemned", "clarify/clarifies/clarified", "plead/pleads/pleaded",
    "encourage/encourages/encouraged", "repeat/repeats/repeated", "question/questions/questioned",
    "caution/cautions/cautioned", "vow/vowing", "pledging", "lament/laments/lamented", "rebuke/rebuked",
    "threaten/threatens/threatened", "demand/demands/demanded", "propose/proposes/proposed",
    "reject/rejects/rejected", "dismiss/dismisses/dismissed", "defend/defends/defended", "attack/attacks/attacked",
    "slam/slams/slammed", "lambaste/lambasted/lambasting", "denounce/denounces/denounced", "portray/portrayed",
    "characterize/characterized/characterise/characterised", "downplay/downplayed", "project/projects/projected",
    "request/requested", "fume/fumed/fuming", "tout/touts/touted", "mock/mocked", "apologize/apologized",
    "object/objected", "rail/railed/railing", "accuses",
)
#: verbs that report an act (criticising, demanding, calling on someone) rather than the content of a
#: statement: without a "that" clause, what the sentence asserts is that the act took place
ACT_VERBS = _forms(
    "criticize/criticizes/criticized/criticise/criticised", "demand/demands/demanded/demanding",
    "call/calls/called/calling", "reject/rejects/rejected", "defend/defends/defended", "plead/pleads/pleaded",
    "praise/praises/praised", "attack/attacks/attacked", "slam/slams/slammed",
    "blast/blasts/blasted", "denounce/denounces/denounced", "urge/urges/urged", "condemn/condemns/condemned",
    "dismiss/dismisses/dismissed", "threaten/threatens/threatened", "request/requests/requested",
    "propose/proposes/proposed", "rebuke/rebukes/rebuked", "mock/mocks/mocked", "tout/touts/touted",
    "apologize/apologized", "object/objected", "rail/railed", "lambaste/lambasted", "decry/decries/decried",
    "encourage/encourages/encouraged", "cite/cites/cited",
    "endorse/endorses/endorsed", "pledge/pledges/pledged", "vow/vows/vowed", "promise/promises/promised",
)
#: verbs that attribute only with a clause or a quotation ("X believes that …", "what he called …")
WEAK_SPEECH = _forms("believe/believes/believed", "think/thinks/thought", "expect/expects", "call/calls/called",
                     "feel/feels/felt", "know/knows/knew", "hope/hopes/hoped", "fear/fears/feared",
                     "issue/issues/issued", "release/releases/released", "agree/agrees/agreed", "worry/worries/worried",
                     "declare/declares/declared", "charge/charges/charged", "find/finds/found", "show/shows/showed",
                     "estimate/estimates/estimated")
#: the words that make a sentence worth a dependency parse (with a quotation mark; see
#: :func:`factbench.claims.facts.speechy`)
PARSE_WORDS = STRONG_SPEECH | WEAK_SPEECH | {"according"}
#: the same test as one pattern (a quote, or a speech or cognition word); slower than the word set
NEEDS_PARSE = re.compile(
    r"[\"“”«»]|\b(?:" + "|".join(sorted(STRONG_SPEECH | WEAK_SPEECH | {"according"}, key=len, reverse=True)) + r")\b",
    re.I)
#: head nouns of unnamed sources ("a senior administration official", "one adviser", "people familiar")
ANONYMOUS_HEADS = _forms(
    "official/officials", "source/sources", "aide/aides", "adviser/advisers/advisor/advisors", "person/people",
    "insider/insiders", "staffer/staffers", "diplomat/diplomats", "spokesperson/spokesman/spokeswoman/spokespeople",
    "strategist/strategists", "operative/operatives", "lawmaker/lawmakers", "analyst/analysts", "expert/experts",
    "critic/critics", "observer/observers", "witness/witnesses", "resident/residents", "investigator/investigators",
    "officer/officers", "agent/agents", "employee/employees", "someone", "somebody", "member/members",
    "outlet/outlets", "ally/allies", "associate/associates", "confidant/confidants", "friend/friends", "colleague/colleagues",
    "supporter/supporters", "opponent/opponents", "democrat/democrats", "republican/republicans", "others",
    "many", "some", "several", "few", "most", "reports", "media", "leader/leaders", "negotiator/negotiators",
    "participant/participants", "attendee/attendees", "organizer/organizers", "activist/activists",
    "scientist/scientists", "economist/economists", "researcher/researchers", "historian/historians",
)
#: subjects that are nobody in particular ("Neither party revealed …")
NO_SPEAKER = frozenset({"neither", "no", "none", "nobody", "nothing", "either", "both", "each", "every", "this",
                        "that", "these", "those", "there", "which", "what", "who", "whom"})
#: of those, the words that make a determiner nobody in particular ("Neither party"; not "Those firms")
NO_SPEAKER_DET = frozenset({"neither", "no", "none", "either", "each", "every", "this"})
#: documents and bodies that make a source identifiable ("the report", "the letter", "the president")
IDENTIFIABLE_HEADS = _forms(
    "president", "general", "attorney-general", "nominee", "candidate", "director", "ambassador", "governor", "senator", "congressman", "congresswoman", "mayor", "speaker", "secretary", "minister",
    "chairman", "chairwoman", "chair", "leader", "prosecutor/prosecutors", "judge", "court", "police", "government",
    "administration", "ministry", "department", "agency", "office", "campaign", "committee", "commission",
    "company", "firm", "council", "embassy", "military", "army", "report", "letter", "statement", "poll", "survey",
    "study", "memo", "complaint", "indictment", "lawsuit", "filing", "ruling", "document/documents", "ad",
    "website", "video", "book", "article", "newspaper", "network", "group", "organization", "union", "party",
    "kremlin", "pentagon", "state", "city", "county", "board", "team", "family", "lawyer/lawyers", "attorney",
    "attorneys", "counsel", "authorities", "investigation", "data", "figures", "records", "tweet", "post",
    "slides", "messages", "emails", "transcript/transcripts", "papers", "presentation", "testimony", "analysis",
)
PRONOUN_PERSON = frozenset({"he", "she", "him", "her"})
PRONOUN_OTHER = frozenset({"it", "they", "we", "i"})
