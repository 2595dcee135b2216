"""What a claim says and who says so: quotes, speaker, sourcing (named / anonymous / none), hedging.

With a dependency parse (``tokens``), the source is the subject of a speech or cognition verb outside
the quotation marks ("…, President Obama said", "said a senior administration official", "according
to the report"), written as a clean name (the named entity it belongs to); an unnamed source ("one
adviser", "officials", "people familiar with …") is anonymous; a subject like "Neither party" is no
source. Without a parse a word-pattern fallback does the same, less well.

>>> toks = [(0, 3, "det", 2), (4, 8, "nsubj", 2), (9, 11, "ccomp", 5), (12, 16, "acomp", 2), (16, 17, "punct", 5),
...         (18, 22, "ROOT", 5), (23, 26, "nummod", 7), (27, 35, "nsubj", 5), (35, 36, "punct", 5)]
>>> a = attribution("The deal is dead, said one official.", [], toks)
>>> a.speaker, a.sourcing
('one official', 'anonymous')

>>> a = attribution("“Exchanges must continue,” Zelensky posted on Telegram.", [("Zelensky", "PERSON")])
>>> a.speaker, a.sourcing
('Zelensky', 'named')
>>> attribution("“It is hard,” said a spokesperson, who declined to be named.").sourcing
'anonymous'
>>> a = attribution("Among the returnees, it has been reported that there are injured soldiers.")
>>> a.sourcing, a.hedged
('anonymous', True)
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from .lexicon import (ACT_VERBS, ANONYMOUS_HEADS, IDENTIFIABLE_HEADS, NO_SPEAKER, NO_SPEAKER_DET, PRONOUN_OTHER, PRONOUN_PERSON,
                      STRONG_SPEECH, SPEECH_VERBS, WEAK_SPEECH)

_ANON = re.compile(
    r"declined\s+to\s+be\s+(named|identified)|unnamed|unidentified|anonymous(ly)?|anonymity|"
    r"not\s+authori[sz]ed\s+to\s+(speak|comment)|"
    r"\b(a|an|one|two|several|the)\s+(senior\s+|military\s+|diplomatic\s+|government\s+|informed\s+|"
    r"security\s+|western\s+|u\.s\.\s+|russian\s+|ukrainian\s+)?(sources?|officials?|insiders?|spokes(person|man|woman))\b"
    r"(?!\s+(?:for|of)\s+[A-Z])|\bsources\s+(said|say|told|close|familiar)|people\s+familiar\s+with",
    re.I,
)
# markers that a source is kept unnamed, whatever the parse says
_UNNAMED = re.compile(r"declined\s+to\s+be\s+(named|identified)|\bunnamed\b|\bunidentified\b|\banonymous(ly)?\b|"
                      r"\banonymity\b|not\s+authori[sz]ed\s+to\s+(speak|comment|discuss)|familiar\s+with\s+the", re.I)
_HEDGE = re.compile(
    r"\b(reportedly|allegedly|purportedly|supposedly|apparently|rumou?red|unconfirmed|suggested|suggests|"
    r"is\s+(believed|thought|said)\s+to|are\s+(believed|thought|said)\s+to|"
    r"it\s+(has\s+been|is|was)\s+(reported|claimed|alleged|said|understood)|may\s+have|might\s+have|"
    r"could\s+have|appears?\s+to|seems?\s+to|hinted)\b",
    re.I,
)
# the outlet reports what unnamed others told it or say ("ISIS reportedly claimed", "Fox News is told",
# "Fox News has learned", "Democrats are thought to have", "it was reported"): GUIDE's "it was reported"
_REPORTED = re.compile(
    r"\breportedly\b|\b(?:News|Post|Times|Journal|Press|CNN|NBC|CBS|ABC|Reuters|AP)\s+"
    r"(?:is\s+told|was\s+told|has\s+been\s+told|has\s+learned|have\s+learned)\b|"
    r"\b(?:is|are|was|were)\s+(?:widely\s+)?(?:thought|believed|said|rumou?red)\s+to\b|"
    r"\b(?:is|are|was|were)\s+(?:widely\s+)?seen\s+(?:by|as)\b|"
    r"\bit\s+(?:has\s+been|had\s+been|is|was)\s+(?:reported|said|claimed|alleged|understood)\b",
    re.I,
)


def unnamed_report(text: str) -> bool:
    """Whether the sentence rests on unnamed reports outside any quotation ("reportedly", "Fox News is
    told", "is thought to", "it was reported"): sourced anonymous when no source is named.

    >>> unnamed_report("Skype can reportedly be monitored for audio."), unnamed_report("They met, Fox News is told.")
    (True, True)
    >>> unnamed_report('He said "it was reported" twice.'), unnamed_report("Fox News told him so.")
    (False, False)
    """
    return bool(_REPORTED.search(_outside(text)))


# the statement was made in a document ("in a letter", "in their joint letter", "in a written statement")
_DOCUMENT = re.compile(r"\b(?:in|through)\s+(?:a|an|the|their|his|her|its)\s+(?:\w+\s+){0,2}?(?:letter|statement)\b", re.I)
# a document and who it comes from ("reads a statement from Senate Majority Leader Harry Reid's office")
# words said, from whom ("a similar call from Sen. Amy Klobuchar", "criticism from … spokesman Michael Short",
# "comments from Mark Zandi")
_FROM_SPEAKER = re.compile(r"\b(?:call|calls|criticism|comments?|remarks?|response|warnings?|plea|praise|demands?|"
                           r"rebuke|condemnation|reaction|message|messages|statement|tweet|tweets)\s+from\s+", re.I)
_FROM_DOCUMENT = re.compile(r"\b(?:reads|read|according\s+to|(?:said|says|wrote|writes)\s+in)\s+(?:a|an|the)\s+(?:\w+\s+)?"
                            r"(?:statement|letter|memo)\s+(?:from|by)\s+", re.I)


def _outside(text: str) -> str:
    """``text`` with quoted passages blanked out (offsets kept)."""
    return "".join(" " if q else ch for ch, q in zip(text, _quoted_mask(text)))


# a quoted nickname inside a name (William "Mo" Cowan): no quotation
_NICKNAME = re.compile(r"\b[A-Z][a-z]+\.?\s+[\"“][A-Z][\w.'’-]*[\"”](?=\s+[A-Z])")
# a dateline opening a sentence: "WASHINGTON —", "BERKELEY HEIGHTS, N.J. —", "DES MOINES –"
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:—|–|--)\s*")
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
#: what a publisher publishes ("a report in The Guardian")
_PUBLISHED = frozenset({"report", "article", "story", "piece", "investigation", "analysis", "poll", "survey"})
#: heads of an unnamed share of a group ("a number of the companies", "a handful of senators")
_SHARE_HEADS = frozenset({"number", "handful", "majority", "minority", "couple", "dozens", "scores", "hundreds"})
#: who speaks for someone ("a lawyer for Mrs. Clinton"): with a named principal, a named source
_AGENT_HEADS = frozenset({"lawyer", "lawyers", "attorney", "attorneys", "counsel", "representative", "representatives"})
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


#: tokens of a dependency parse: (start, end, dependency label, index of the head token), offsets
#: relative to the sentence
Token = tuple


def quoted_mask(text: str) -> list[bool]:
    """Per character: inside quotation marks? (see :func:`_quoted_mask`)"""
    return list(_quoted_mask(text))


@functools.lru_cache(maxsize=4096)
def _quoted_mask(text: str) -> tuple[bool, ...]:
    """Per character: inside quotation marks? A closing mark with no opening one before it means the
    sentence began inside a quotation (continued from the one before).

    >>> m = quoted_mask('he said "no" twice')
    >>> "".join("q" if x else "." for x in m)
    '........qqqq......'
    """
    mask = [False] * len(text)
    closers = [i for i, ch in enumerate(text) if ch == "”"]
    first_open = next((i for i, ch in enumerate(text) if ch in "“«"), len(text))
    # (unless a straight quote opens before that closing mark: "#Labrador is pro amnesty … amnesty.”)
    inside = bool(closers) and closers[0] < first_open and '"' not in text[:closers[0]]
    straight = text.count('"')
    if not inside and straight % 2 == 1 and '"' in text:
        # an odd straight quote: open at the start when the first one closes a clause (‘…," he said’),
        # unless a curly quotation opens before it (“… representatives." closes that one)
        i = text.index('"')
        inside = i > 0 and text[i - 1] in ".,!?—–-" and not text[:i].lstrip().startswith('"') and first_open > i
    for i, ch in enumerate(text):
        if ch in "“«":
            mask[i] = True
            inside = True
        elif ch in "”»":
            mask[i] = True
            inside = False
        elif ch == '"':
            mask[i] = True
            # a straight quote closing a curly one (“… representatives.") closes it
            inside = not inside
        else:
            mask[i] = inside
    return tuple(mask)


def _children(tokens: Sequence[Token]) -> list[list[int]]:
    kids: list[list[int]] = [[] for _ in tokens]
    for i, t in enumerate(tokens):
        if t[3] != i and 0 <= t[3] < len(tokens):
            kids[t[3]].append(i)
    return kids


def _subtree(kids: list[list[int]], h: int) -> list[int]:
    out, stack = [], [h]
    while stack:
        i = stack.pop()
        out.append(i)
        stack.extend(kids[i])
    return out


def _depth(tokens: Sequence[Token], i: int) -> int:
    d = 0
    while tokens[i][3] != i and d < 50:
        i = tokens[i][3]
        d += 1
    return d


def _word(text: str, tok: Token) -> str:
    return text[tok[0]:tok[1]]


_POSSESSIVE = re.compile(r"[’']s?$")
_LEAD_DET = re.compile(r"^(?:the|a|an)\s+", re.I)


def _clean_name(name: str) -> str:
    name = _POSSESSIVE.sub("", name.strip()) if re.search(r"[’']s?$", name) and len(name) > 3 else name.strip()
    name = _LEAD_DET.sub("", name) if name[:4].lower() == "the " and any(w[:1].isupper() for w in name.split()[1:]) else name
    return re.sub(r"\s+", " ", name).strip(" ,.;:-–—\"“”'’")


def _entity_at(entities: Sequence[tuple], start: int, end: int) -> tuple | None:
    for e in entities:
        if len(e) >= 4 and e[2] <= start and end <= e[3] and e[1] in _NAMED_LABELS:
            return e
    return None


def _phrase(text: str, tokens: Sequence[Token], kids: list[list[int]], h: int) -> str:
    """The noun phrase headed by token ``h``: its determiners, modifiers and compounds, without
    appositions, relative clauses or prepositional phrases (except "of …")."""
    keep = {h}
    stack = [h]
    while stack:
        i = stack.pop()
        for k in kids[i]:
            dep = tokens[k][2]
            if dep in ("det", "amod", "compound", "nummod", "poss", "nmod", "quantmod", "case", "advmod") and k < h \
                    or (i == h and dep == "prep" and _word(text, tokens[k]).lower() == "of") or (i != h and dep == "pobj"):
                keep.add(k)
                stack.append(k)
    lo, hi = min(keep), max(keep)
    return text[tokens[lo][0]:tokens[hi][1]]


def _description(text: str, tokens: Sequence[Token], kids: list[list[int]], h: int, limit: int = 90) -> str:
    """An unnamed source as the article describes it, with what sets it apart ("One person familiar with
    Mr. Cohen's testimony", "Political observers in Arizona", "people with knowledge of the discussions"),
    without appositions or anything after a comma; the bare phrase when that is longer than ``limit``."""
    keep = [h]
    for k in kids[h]:
        if tokens[k][2] not in ("appos", "punct", "cc", "conj"):
            keep.extend(_subtree(kids, k))
    lo, hi = min(keep), max(keep)
    out = text[tokens[lo][0]:tokens[hi][1]]
    if "," in out[tokens[h][1] - tokens[lo][0]:] or "—" in out or len(out) > limit:
        return _phrase(text, tokens, kids, h)
    return out


@dataclass(frozen=True)
class Source:
    """A speech verb's source found in the parse: the phrase, its head word and how it is sourced."""

    speaker: str
    head: str
    sourcing: str  # named | anonymous | none | pronoun


def _named_members(text: str, tokens: Sequence[Token], kids: list[list[int]], h: int,
                   entities: Sequence[tuple]) -> list[str]:
    """Persons named in apposition to the phrase headed by ``h`` or after its "including" / "such as"."""
    spans = []
    for k in kids[h]:
        dep, w = tokens[k][2], _word(text, tokens[k]).lower()
        if dep == "appos" or (dep == "prep" and w in ("including", "like", "such")):
            sub = _subtree(kids, k)
            spans.append((min(tokens[j][0] for j in sub), max(tokens[j][1] for j in sub)))
    names: list[str] = []
    for e in entities:
        if len(e) >= 4 and e[1] == "PERSON" and any(a <= e[2] and e[3] <= b for a, b in spans):
            name = _clean_name(e[0])
            if name not in names:
                names.append(name)
    return names


def _classify(text: str, tokens: Sequence[Token], kids: list[list[int]], h: int, entities: Sequence[tuple]) -> Source:
    head = _word(text, tokens[h])
    low = head.lower()
    ent = _entity_at(entities, tokens[h][0], tokens[h][1])
    if not (ent and ent[1] in _ACTOR_LABELS):
        # "Another top Republican, Sen. Lindsey Graham, said", "Others, including … William Blocker, and …
        # John Skipper, dismissed", "Supporters, including Mayor Michael Bloomberg, say": the persons named
        # in apposition or after "including" / "such as" are the source
        named = _named_members(text, tokens, kids, h, entities)
        if named:
            return Source(" and ".join(named), head, "named")
    if ent and ent[1] == "NORP":
        # "Republicans said", "some leading Democrats said": an unnamed group
        return Source(_clean_name(_description(text, tokens, kids, h)), head, "anonymous")
    if ent and ent[1] == "GPE" and head.isupper() and tokens[h][0] < 3:
        # a dateline ("WASHINGTON — President Obama said"): the source is in apposition
        app = next((k for k in kids[h] if tokens[k][2] in ("appos", "conj")), None)
        if app is not None:
            return _classify(text, tokens, kids, app, entities)
    if ent:
        names = [_clean_name(ent[0])]
        for k in kids[h]:  # "Mr. Udall and Mr. Wyden said"
            e2 = _entity_at(entities, tokens[k][0], tokens[k][1]) if tokens[k][2] == "conj" else None
            if e2 and e2[1] == ent[1]:
                names.append(_clean_name(e2[0]))
        return Source(" and ".join(names), head, "named")
    if low in PRONOUN_PERSON or low in PRONOUN_OTHER:
        return Source(head, head, "pronoun")
    if low in _SHARE_HEADS and any(tokens[k][2] == "prep" and _word(text, tokens[k]).lower() == "of" for k in kids[h]):
        # "A number of the Internet companies issued statements": some of them, unnamed
        return Source(_clean_name(_description(text, tokens, kids, h)), head, "anonymous")
    dets = [_word(text, tokens[k]).lower() for k in kids[h] if tokens[k][2] in ("det", "nummod", "amod") and k < h]
    if low in NO_SPEAKER or any(d in NO_SPEAKER_DET for d in dets):
        return Source("", head, "none")
    # a named person or body in apposition or in the phrase ("a spokesman, Josh Earnest";
    # "a spokesman for the White House")
    phrase = _phrase(text, tokens, kids, h)
    for k in kids[h]:
        if tokens[k][2] in ("appos", "prep"):
            sub = [k] + [j for j in kids[k]]
            for j in sub:
                e = _entity_at(entities, tokens[j][0], tokens[j][1])
                if e and e[1] in ("PERSON",) and tokens[k][2] == "appos":
                    return Source(_clean_name(e[0]), head, "named")
                if e and e[1] in ("ORG", "GPE") and tokens[k][2] == "prep" and low.startswith("spokes"):
                    return Source(f"{_clean_name(e[0])} {head}", head, "named")
    # "The lawyer for Mrs. Clinton, David Kendall, said": a name set off by a comma after the head
    sub_end = max(tokens[j][1] for j in _subtree(kids, h))
    for e in entities:
        if len(e) >= 4 and e[1] == "PERSON" and tokens[h][1] < e[2] < sub_end and \
                text[tokens[h][1]:e[2]].rstrip().endswith(",") and not head[:1].isupper():
            return Source(_clean_name(e[0]), head, "named")
    if low.startswith("spokes") or low in _AGENT_HEADS:
        # "A spokesperson for Vice President Mike Pence", "a lawyer for Mrs. Clinton", "a spokesman for
        # her": whoever speaks for a named person or body is that person's named voice
        for k in kids[h]:
            if tokens[k][2] == "prep" and _word(text, tokens[k]).lower() == "for":
                sub = sorted(_subtree(kids, k))
                ents = [e for e in entities if len(e) >= 4 and e[1] in ("PERSON", "ORG", "GPE")
                        and tokens[sub[0]][0] <= e[2] and e[3] <= tokens[sub[-1]][1]]
                objs = [j for j in kids[k] if tokens[j][2] == "pobj"]
                if ents:
                    return Source(f"{head} for {_clean_name(ents[-1][0])}", head, "named")
                if objs and _word(text, tokens[objs[0]]).lower() in ("her", "him", "them"):
                    return Source(_clean_name(phrase), head, "named")
    lowered = [w.lower() for w in phrase.split()]
    if low.startswith("spokes") and (lowered[0] == "the" or any(
            e[1] in ("ORG", "GPE", "PERSON") and len(e) >= 4 and tokens[h][0] - len(phrase) <= e[2] < tokens[h][0]
            for e in entities)):
        return Source(_clean_name(phrase), head, "named")  # "a Microsoft spokesperson", "the spokesman"
    if low in ANONYMOUS_HEADS or _ANON.search(text):
        named_in_phrase = next((e for e in entities if len(e) >= 4 and e[1] == "PERSON"
                                and tokens[h][0] - 40 <= e[2] and e[3] <= tokens[h][1]), None)
        if named_in_phrase and low not in ANONYMOUS_HEADS:
            return Source(_clean_name(named_in_phrase[0]), head, "named")
        if low in ANONYMOUS_HEADS or "unnamed" in lowered:
            return Source(_clean_name(_description(text, tokens, kids, h)), head, "anonymous")
    if low in _PUBLISHED:
        # "A new report in The Guardian", "a report published Monday by The Atlantic": the publisher
        for k in kids[h]:
            if tokens[k][2] in ("prep", "acl") :
                sub = sorted(_subtree(kids, k))
                pub = [e for e in entities if len(e) >= 4 and e[1] in ("ORG", "PERSON", "WORK_OF_ART")
                       and tokens[sub[0]][0] <= e[2] and e[3] <= tokens[sub[-1]][1]]
                if pub and (tokens[k][2] == "prep" and _word(text, tokens[k]).lower() in ("in", "by", "from")
                            or tokens[k][2] == "acl"):
                    return Source(_clean_name(pub[0][0]), head, "named")
    if low in IDENTIFIABLE_HEADS or head[:1].isupper():
        return Source(_clean_name(phrase), head, "named")
    if {"these", "those"} & set(dets) and _singular(low) in IDENTIFIABLE_HEADS:
        return Source(_clean_name(phrase), head, "named")  # "Those firms have denied …": bodies named before
    return Source(_clean_name(phrase), head, "none")  # "The intensity of their attacks showed"


def _singular(word: str) -> str:
    """A plural noun's singular, roughly.

    >>> _singular("companies"), _singular("firms"), _singular("press")
    ('company', 'firm', 'press')
    """
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _subject(tokens: Sequence[Token], kids: list[list[int]], v: int, text: str) -> int | None:
    """The subject of verb ``v``: its own, or for "…, adding" / "saying" the verb it hangs on. A word
    inside the quotation marks is never the subject ('“…, China,” Mr. Trump wrote': Trump)."""
    mask = _quoted_mask(text)
    if any(mask):
        kids = [[k for k in ks if not (tokens[k][0] < len(mask) and mask[tokens[k][0]])] for ks in kids]
    for _ in range(3):
        # "was denounced by the Log Cabin Republicans": the agent speaks
        agent = [j for k in kids[v] if tokens[k][2] == "agent" for j in kids[k] if tokens[j][2] == "pobj"]
        if agent:
            return agent[0]
        subj = [k for k in kids[v] if tokens[k][2] in ("nsubj", "nsubjpass", "csubj")]
        if subj:
            return subj[0]
        # "Mr. Schiff, clearly prepared for the ambush, argued": the subject hangs on a clause before the verb
        left = [j for k in kids[v] if k < v and tokens[k][2] in ("advcl", "prep") for j in kids[k]
                if tokens[j][2] == "nsubj" and j < k]
        if left:
            return left[0]
        # postposed speaker parsed as an object: '"…," said a senior official'
        # (a finite verb of saying; in "…, telling Fox News that …" the object is who was told)
        after = [k for k in kids[v] if k > v and tokens[k][2] in ("dobj", "attr", "npadvmod", "dative")]
        vw = _word(text, tokens[v]).lower()
        if after and v > 0 and _word(text, tokens[v - 1]) in (",", "”", '"', "’") and not vw.endswith("ing") \
                and vw not in ("tell", "tells", "told"):
            return after[0]
        # ("went so far as to say": say -> far -> went)
        if tokens[v][2] in ("advcl", "xcomp", "conj", "pcomp", "acl", "advmod") and tokens[v][3] != v:
            v = tokens[v][3]
            continue
        return None
    return None


_BACKGROUND_MARKS = frozenset({"after", "as", "when", "before", "since", "because", "until", "once", "if"})


def _subordinate(text: str, tokens: Sequence[Token], kids: list[list[int]], i: int) -> bool:
    """Verb ``i`` heads a relative clause or a time / reason clause ("after X had called for …"): what is
    said there is background, not the source of the sentence's main assertion."""
    dep = tokens[i][2]
    if dep == "relcl":
        return True
    if dep != "advcl":
        return False
    marks = {_word(text, tokens[k]).lower() for k in kids[i] if tokens[k][2] == "mark"}
    if marks & (_BACKGROUND_MARKS - {"as"}):
        return True
    # "as residents explained the problems" is a time clause; "as confirmed by the Ministry" (no subject,
    # an agent) is the comment clause that names the source of the main one
    return "as" in marks and any(tokens[k][2] in ("nsubj", "nsubjpass") for k in kids[i])


def parse_source(text: str, tokens: Sequence[Token], entities: Sequence[tuple] = ()) -> Source | None:
    """The source of a sentence's main assertion from its dependency parse, or None when no speech
    or cognition verb outside the quotation marks has a subject."""
    if not tokens:
        return None
    mask = _quoted_mask(text)
    kids = _children(tokens)
    has_quote = any(mask)
    cands: list[tuple[float, int, int]] = []  # (rank, depth, index)
    for i, t in enumerate(tokens):
        if t[0] < len(mask) and mask[t[0]]:
            continue
        w = _word(text, t).lower()
        if any(tokens[k][2] == "neg" for k in kids[i]):
            continue  # "did not say", "would not comment": no source for the sentence
        if _subordinate(text, tokens, kids, i):
            continue  # "people who told him …", "after Democrats had called for …": not the main assertion's source
        if w == "according" and any(_word(text, tokens[k]).lower() == "to" for k in kids[i]):
            # "According to the Times, Mary Cheney … said": the source set before the main clause wins; at
            # the end ("She said …, according to the Post") the speaker of a main clause that says something
            # comes first, but not the subject of an act ("Senate Democrats have asked … for changes,
            # according to Sen. Dick Durbin")
            root = next((k for k, tk in enumerate(tokens) if tk[3] == k), 0)
            says = any(tokens[k][2] == "ccomp" for k in kids[root])
            cands.append((0.5 if i > root and says else -1, _depth(tokens, i), i))
        elif w in STRONG_SPEECH:
            cands.append((0, _depth(tokens, i), i))
        elif w in WEAK_SPEECH:
            clause = any(tokens[k][2] in ("ccomp", "xcomp") for k in kids[i])
            stmt = any(tokens[k][2] == "dobj" and _word(text, tokens[k]).lower() in ("statement", "report", "letter")
                       for k in kids[i])
            # "Mayor Pete Buttigieg also called for the entire report to be released": a call for or on
            calls = w in ("call", "calls", "called") and any(
                tokens[k][2] in ("prep", "prt") and _word(text, tokens[k]).lower() in ("for", "on") for k in kids[i])
            if clause or stmt or calls or (has_quote and w in ("call", "calls", "called")):
                cands.append((1, _depth(tokens, i), i))
    for _, _, v in sorted(cands):
        w = _word(text, tokens[v]).lower()
        if w == "according":
            to = next(k for k in kids[v] if _word(text, tokens[k]).lower() == "to")
            obj = next((k for k in kids[to] if tokens[k][2] == "pobj"), None)
            if obj is not None:
                return _classify(text, tokens, kids, obj, entities)
            continue
        subj = _subject(tokens, kids, v, text)
        if subj is None:
            # "…, Trump Jr.’s attorney, Alan Futerfas, said", "Rep. Steve King (R-Iowa), tweeted": the
            # parse lost the subject, but a person or body stands right before the verb
            left = [e for e in entities if len(e) >= 4 and e[1] in _ACTOR_LABELS and e[3] <= tokens[v][0]
                    and re.fullmatch(r"(?:\s*\([^()]{1,20}\))?\s*,\s*", text[e[3]:tokens[v][0]])]
            if left and w in STRONG_SPEECH:
                return Source(_clean_name(left[-1][0]), left[-1][0], "named")
            continue
        if _word(text, tokens[subj]).lower() == "it" and tokens[subj][2] == "nsubjpass":
            # "it was reported that …": an unnamed source
            return Source("", "it", "anonymous")
        if tokens[subj][2] == "csubj" or _word(text, tokens[subj]).lower() in ("that", "which", "who", "what"):
            continue
        if tokens[subj][2] == "nsubjpass" and tokens[subj][3] == v:
            continue  # "Kerry was confirmed as secretary of state", "Barr was asked": no one speaks
        if _not_yet_said(text, tokens, kids, v):
            continue  # "Rep. Stephen Lynch is expected to announce his bid Thursday": nothing said yet
        src = _classify(text, tokens, kids, subj, entities)
        if src.sourcing == "anonymous" and w in ACT_VERBS and not _that_clause(text, tokens, kids, v):
            # "House Democrats rejected Obama's trade agenda", "numerous Republican lawmakers called on
            # Moore to drop out": the outlet narrates what a group did; nothing rests on the group's word
            return Source("", src.head, "none")
        return src
    return None


_FUTURE = frozenset({"expected", "expect", "expects", "plans", "planned", "plan", "intends", "intended", "set",
                     "scheduled", "due", "likely", "going", "poised", "prepared", "preparing", "wants", "hopes"})


def _not_yet_said(text: str, tokens: Sequence[Token], kids: list[list[int]], v: int) -> bool:
    """Speech verb ``v`` is something to come ("is expected to announce", "plans to testify")."""
    h = tokens[v][3]
    return tokens[v][2] == "xcomp" and h != v and _word(text, tokens[h]).lower() in _FUTURE


def _that_clause(text: str, tokens: Sequence[Token], kids: list[list[int]], v: int) -> bool:
    """Verb ``v`` has a clause saying what was said ("warned that …", "questioned whether …")."""
    return any(tokens[k][2] == "ccomp" and any(tokens[j][2] == "mark" and _word(text, tokens[j]).lower() in ("that", "whether")
                                               for j in kids[k]) for k in kids[v])


def _quoting_subject(text: str, tokens: Sequence[Token], entities: Sequence[tuple]) -> Source | None:
    """A sentence quoting words without a speech verb ("Trump Jr. produced “the entire chain of messages”",
    "Sanders thanked Obama for his “impartiality”"): the quoted words are those of the main clause's
    subject when it is a named person or body (or a pronoun for one)."""
    mask = _quoted_mask(text)
    kids = _children(tokens)
    for i, t in enumerate(tokens):
        if t[3] != i or (t[0] < len(mask) and mask[t[0]]):
            continue
        subj = _subject(tokens, kids, i, text)
        if subj is None or tokens[subj][2] != "nsubj" or (tokens[subj][0] < len(mask) and mask[tokens[subj][0]]):
            continue
        src = _classify(text, tokens, kids, subj, entities)
        if src.sourcing == "pronoun" or (src.sourcing == "named" and
                                        _entity_at(entities, tokens[subj][0], tokens[subj][1]) is not None):
            return src
    return None


# a speech verb opening the sentence, then the speaker: 'Added Gibbs: "I think …"', 'Said one aide, "…"'
_INVERTED = re.compile(rf"^(?:{SPEECH_VERBS})\s+(?P<x>[A-Z][^,:;“”\"]{{1,60}}?)\s*[:,]\s*[“\"]", re.I)


def inverted_source(text: str, entities: Sequence[tuple] = ()) -> str:
    """The speaker of a sentence that opens with the speech verb ('Added Gibbs: "I think …"'), or "".

    >>> inverted_source('Added Gibbs: "I think you would really have to ask."')
    'Gibbs'
    """
    m = _INVERTED.match(text)
    return _clean_name(m.group("x")) if m else ""


def from_source(text: str, entities: Sequence[tuple] = ()) -> str:
    """The person or body a statement, letter or call comes from ('"…," reads a statement from Senate
    Majority Leader Harry Reid's office', "It was a similar call from Sen. Amy Klobuchar"), or "".

    >>> from_source("That brought criticism from spokesman Michael Short.", [("Michael Short", "PERSON", 38, 51)])
    'Michael Short'
    """
    out = _outside(text)
    frm = _FROM_DOCUMENT.search(out) or _FROM_SPEAKER.search(out)
    if not frm:
        return ""
    near = [e for e in entities if len(e) >= 4 and e[1] in _ACTOR_LABELS
            and frm.end() <= e[2] <= frm.end() + 60 and "," not in text[frm.end():e[2]]]
    ent = next((e for e in near if e[1] == "PERSON"), near[0] if near else None)
    if not ent:
        return ""
    name = _clean_name(ent[0])
    office = re.match(r"[’']s\s+(office|campaign|staff|lawyers?|attorneys?)\b", text[ent[3]:])
    return f"{name}'s {office.group(1)}" if office else name


def attribution(text: str, entities: Sequence[tuple] = (), tokens: Sequence[Token] | None = None) -> Attribution:
    """Who a sentence is attributed to and how well it is sourced.

    ``entities`` are (text, label[, start, end]) tuples from the entity recogniser, offsets relative
    to ``text``. Anonymous markers ("a source within the agency", "citing an unnamed source", "who
    declined to be named") win over named ones. ``tokens``: the sentence's dependency parse (see
    :func:`parse_source`); without it, word patterns decide. A pronoun speaker ("he said") is
    returned as such, sourced "named": :func:`factbench.claims.facts.sentence_facts` resolves it."""
    quote = quotes(text)
    hedged = bool(_HEDGE.search(text))
    inverted = inverted_source(text, entities)
    if inverted:
        return Attribution(inverted, "named" if inverted[:1].isupper() else "anonymous", quote, hedged)
    if tokens:
        src = parse_source(text, tokens, entities)
        if src is None and quote and _QUOTE.search(_NICKNAME.sub(" ", text)):
            src = _quoting_subject(text, tokens, entities)
        if src is None:
            name = from_source(text, entities)
            return Attribution(name, "named" if name else "none", quote, hedged)
        if src.sourcing == "pronoun":
            return Attribution(src.speaker, "named", quote, hedged)
        if src.sourcing != "none" and _UNNAMED.search(text):
            return Attribution(src.speaker if src.sourcing == "anonymous" else "", "anonymous", quote, hedged)
        if src.sourcing == "anonymous" and src.speaker and _DOCUMENT.search(_outside(text)):
            # "In a letter dated Thursday, the GOP committee members accused …": an identifiable document
            return Attribution(src.speaker, "named", quote, hedged)
        speaker = src.speaker if src.sourcing != "none" else ""
        dash = _DATELINE.match(text)
        if speaker and dash and speaker.isupper() and text.startswith(speaker):
            # "DES MOINES – Hillary Rodham Clinton on Sunday urged": the dateline is a place, not the source
            after = next((e for e in entities if len(e) >= 4 and e[1] in _ACTOR_LABELS and e[2] >= dash.end()), None)
            speaker = _clean_name(after[0]) if after else ""
            if not speaker:
                return Attribution("", "none", quote, hedged)
        return Attribution(speaker, src.sourcing, quote, hedged)
    speaker = _speaker(text, entities)
    if _ANON.search(text) and (speaker or quote or _VERB_ANY.search(text)):
        return Attribution(speaker, "anonymous", quote, hedged)
    if not speaker or _NONE_NP.match(speaker):
        return Attribution(speaker, "anonymous" if unnamed_report(text) else "none", quote, hedged)
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
