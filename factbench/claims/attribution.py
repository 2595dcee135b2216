"""What a claim says and who says so: quotes, speaker, sourcing (named / anonymous / none), hedging.

>>> a = attribution("“Exchanges must continue,” Zelensky posted on Telegram.", [("Zelensky", "PERSON")])
>>> a.speaker, a.sourcing
('Zelensky', 'named')
>>> attribution("“It is hard,” said a spokesperson, who declined to be named.").sourcing
'anonymous'
>>> a = attribution("Among the returnees, it has been reported that there are injured soldiers.")
>>> a.sourcing, a.hedged
('none', True)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from .lexicon import SPEECH_VERBS

_ANON = re.compile(
    r"declined\s+to\s+be\s+(named|identified)|unnamed|unidentified|anonymous(ly)?|anonymity|"
    r"not\s+authori[sz]ed\s+to\s+(speak|comment)|"
    r"\b(a|an|one|two|several|the)\s+(senior\s+|military\s+|diplomatic\s+|government\s+|informed\s+|"
    r"security\s+|western\s+|u\.s\.\s+|russian\s+|ukrainian\s+)?(sources?|officials?|insiders?|spokes(person|man|woman))\b"
    r"(?!\s+(?:for|of)\s+[A-Z])|\bsources\s+(said|say|told|close|familiar)|people\s+familiar\s+with",
    re.I,
)
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|purportedly|supposedly|apparently|rumou?red|unconfirmed|suggested|suggests|"
    r"is\s+(believed|thought|said)\s+to|are\s+(believed|thought|said)\s+to|"
    r"it\s+(has\s+been|is|was)\s+(reported|claimed|alleged|said|understood)|may\s+have|might\s+have|"
    r"could\s+have|appears?\s+to|seems?\s+to|hinted)\b",
    re.I,
)
_QUOTE = re.compile(r"“([^”]{2,})”|\"([^\"]{2,})\"|«([^»]{2,})»")
# "according to X", "citing X", "confirmed by X"  -> X follows
_AFTER = re.compile(r"\b(?:according\s+to|citing|cited|(?:as\s+)?(?:confirmed|reported|announced|stated|said|disclosed)\s+by)\s+"
                    r"(?P<x>[^,.;:“”\"]{2,80})", re.I)
# ”, said X  (X after the verb, right after a closing quote)
_VERB_X = re.compile(rf"(?:,\s*[”\"]|[”\"]\s*,?)\s*(?:{SPEECH_VERBS})\s+(?P<x>(?:the\s+|a\s+|an\s+)?[^,.;:“”\"]{{2,60}})", re.I)
_VERB_ANY = re.compile(rf"\b(?:{SPEECH_VERBS}|stating|saying|noting|adding|indicating|claiming|confirming|announcing|writing)\b", re.I)
_FILLER = re.compile(r"\s+(?:\w+ly|also|further|later|then|has|have|had|was|were|is|not|did|does)$", re.I)
_GENERIC = re.compile(r"^(?:the|a|an|one|two|several|some)?\s*(?:senior\s+|military\s+|government\s+)?(?:source|sources|spokesperson|spokesman|"
                      r"spokeswoman|official|officials|insider|insiders|person|people|expert|experts|analysts?|"
                      r"observers?|witness(es)?|authorities)\b", re.I)
_NONE_NP = re.compile(r"^(?:neither|both|either|none|nobody|no\s+one|reports?|media|statement|it|this|that)\b", re.I)
_INSTITUTION = re.compile(r"\b(ministry|government|agency|police|army|military|office|department|president|minister|"
                          r"kremlin|white\s+house|council|court|parliament|embassy|staff|command|commission)\b", re.I)
_NOT_SUBJECT = re.compile(r"^(but|and|or|so|yet|it|there|in|on|at|during|after|before|while|though|although|"
                          r"if|when|as|with|without|for|from|by|to|of)\b", re.I)
_PRONOUN = re.compile(r"^(he|she|they|we|i|you)$", re.I)
_NAMED_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
_ACTOR_LABELS = {"PERSON", "ORG"}


@dataclass(frozen=True)
class Attribution:
    speaker: str
    sourcing: str  # named | anonymous | none
    quote: str
    hedged: bool


def quotes(text: str) -> str:
    """Direct speech inside ``text``, joined with " … "."""
    parts = [next(g for g in m.groups() if g) for m in _QUOTE.finditer(text)]
    return " … ".join(p.strip() for p in parts)


def _trim(x: str) -> str:
    x = re.split(r"\s+(?:that|who|which|on|in|during|at|while|when|as|and|but|to)\s+", x.strip(), maxsplit=1)[0]
    return x.strip(" ,.;:-–—")


def _speaker(text: str, entities: Sequence[tuple]) -> str:
    """The phrase a sentence is attributed to, or ""."""
    for rx in (_AFTER, _VERB_X):
        m = rx.search(text)
        if m:
            return _trim(m.group("x"))
    outside = _QUOTE.sub(lambda m: " " * len(m.group(0)), text)
    for m in _VERB_ANY.finditer(outside):
        before = outside[: m.start()].rstrip()
        segment = re.split(r"[,;:“”\"—–()]", before)[-1].strip()
        while _FILLER.search(" " + segment):
            segment = _FILLER.sub("", " " + segment).strip()
        words = segment.split()
        if words and len(words) <= 8 and not re.search(r"\b(that|which|who)\b", segment, re.I):
            if not _NOT_SUBJECT.match(segment):
                return segment
            continue
        if not words:
            # "Peskov, the press secretary, reiterated" / "Zelensky expressed relief, stating":
            # the nearest person or organisation before the verb
            actors = [e for e in entities if len(e) >= 4 and e[1] in _ACTOR_LABELS and e[3] <= m.start()
                      and outside[e[2]:e[3]].strip()]
            if actors:
                return actors[-1][0]
    return ""


def attribution(text: str, entities: Sequence[tuple] = ()) -> Attribution:
    """Who a sentence is attributed to and how well it is sourced.

    ``entities`` are (text, label[, start, end]) tuples from the entity recogniser, offsets relative
    to ``text``. Anonymous markers ("a source within the agency", "citing an unnamed source", "who
    declined to be named") win over named ones."""
    quote = quotes(text)
    hedged = bool(_HEDGE.search(text))
    speaker = _speaker(text, entities)
    if _ANON.search(text) and (speaker or quote or _VERB_ANY.search(text)):
        return Attribution(speaker, "anonymous", quote, hedged)
    if not speaker or _NONE_NP.match(speaker):
        return Attribution(speaker, "none", quote, hedged)
    named = any(e[1] in _NAMED_LABELS and (e[0] in speaker or speaker in e[0]) for e in entities)
    capitalised = any(w[:1].isupper() for w in speaker.split()[1:]) or (
        speaker[:1].isupper() and not _PRONOUN.match(speaker) and not _GENERIC.match(speaker))
    if named or capitalised or _INSTITUTION.search(speaker):
        return Attribution(speaker, "named", quote, hedged)
    if _GENERIC.match(speaker):
        return Attribution(speaker, "anonymous", quote, hedged)
    if _PRONOUN.match(speaker):
        # "he said": the name stands in an earlier sentence (the loader carries it over)
        return Attribution(speaker, "named", quote, hedged)
    return Attribution(speaker, "none", quote, hedged)
