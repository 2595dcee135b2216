"""The comparable facts of one statement, each with the role it fills, read from the dependency parse.

A value (a date, a count, a duration, an ordinal, a person, a person's title then, a negation) is tied to the words it
belongs to: the noun a number counts ("15 bills"), the happening a date is the date of ("the exchange
that took place on June 20", "the June 20 exchange", "the primary would be held on April 30"), the
person whose period a range of years is ("Brooke, who served from 1967 to 1979"). Two statements can
only disagree on a value whose *slot* (kind + role) they share. A slot of three parts is a full role
(the counted noun and what it did, the happening and its verb): statements that were not matched meet
on those only; a slot of two parts (the noun alone, "@" + the verb alone) serves matched statements.

>>> f = statement_facts("The House voted on Tuesday to pass 15 bills.")
>>> sorted((v.kind, v.shown) for v in f.values)
[('date', 'Tuesday'), ('number', '15')]
>>> sorted(next(v for v in f.values if v.kind == "number").slots)
[('number', '@pass'), ('number', 'bill'), ('number', 'bill', 'pass')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..claims.values import INF, MONTHS, find_dates, find_durations, find_numbers
from .lexicon import EVENT_CLASS, NAME_TITLES, ORDINALS, REPORTING_VERBS
from .syntax import parse

_MONTH_RX = re.compile(r"\b(?P<pre>(?:early|late|mid)[- ]?)?(?P<mon>January|February|March|April|May|June|July|August|"
                       r"September|October|November|December)\b(?!\s+\d)(?:\s+(?P<year>(?:19|20)\d\d))?")
_WEEKDAY_RX = re.compile(r"\b(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!['’]s)")
_YEAR_RX = re.compile(r"\b(?:in|during|since|until|by|of)\s+(?:early\s+|late\s+|mid-?)?(?P<year>(?:19|20)\d\d)\b(?!\s*[-–]\s*\d)")
_RANGE_RX = re.compile(r"\bfrom\s+(?P<a>(?:19|20)\d\d)\s+(?:to|until|through)\s+(?P<b>(?:19|20)\d\d)\b|"
                       r"\b(?P<c>(?:19|20)\d\d)\s*[-–]\s*(?P<d>(?:19|20)\d\d)\b")
_RATIO_RX = re.compile(r"\b(?P<a>\d+|one|two|three|four|five|six|seven|eight|nine|ten)[\s-]+(?:in|out\s+of)[\s-]+"
                       r"(?P<b>\d+|two|three|four|five|six|seven|eight|nine|ten)\b", re.I)
_SMALL = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten".split())}


@dataclass
class Value:
    """One fact: ``kind``; ``shown`` as written; ``norm`` comparable; ``slots``: the roles it fills."""

    kind: str
    shown: str
    norm: tuple
    label: str  # the normalised value for people
    start: int
    end: int
    slots: set = field(default_factory=set)
    approximate: bool = False


@dataclass
class StatementFacts:
    text: str
    values: list[Value]
    negated_verbs: dict  # (verb lemma, object lemma) -> negation word or ""
    happenings: set  # (event class, MM-DD): the dated happenings the statement names
    definite_events: set  # event classes named with "the" and no date of their own
    content: set  # content lemmas


def _span_tokens(doc, start: int, end: int):
    return [t for t in doc if t.idx < end and t.idx + len(t) > start]


def _root(toks):
    ids = {t.i for t in toks}
    for t in toks:
        if t.head.i not in ids or t.head.i == t.i:
            return t
    return toks[0]


def _lemma(t) -> str:
    return t.lemma_.lower()


def event_class(word: str) -> str:
    """'talks', 'negotiations', 'round' → 'talks'; 'swap' → 'exchange'; other nouns → ''."""
    return EVENT_CLASS.get(word.lower(), "")


def _anchor(tok):
    """(anchor token, preposition) for a value whose root token is ``tok``: climb appositions and
    prepositions to the word the value modifies."""
    prep = ""
    t = tok
    for _ in range(6):
        if t.dep_ in ("appos", "nummod", "compound", "npadvmod", "quantmod") and t.head.i != t.i and t.head.pos_ in ("PROPN", "NUM"):
            t = t.head
            continue
        if t.dep_ in ("pobj", "pcomp") and t.head.i != t.i:
            prep = _lemma(t.head)
            t = t.head.head
            break
        if t.dep_ in ("npadvmod", "tmod", "nmod", "compound", "amod", "nummod", "appos", "poss") and t.head.i != t.i:
            t = t.head
            break
        break
    return t, prep


def _nouns_of(verb):
    """The subject and object nouns of a verb (a relative clause's noun counts as its subject)."""
    out = []
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass", "dobj", "attr") and _lemma(c) not in ("place", "that", "which", "who"):
            out.append(c)
    if verb.dep_ in ("relcl", "acl") and verb.head.pos_ in ("NOUN", "PROPN"):
        out.append(verb.head)
    return out


def _entity_key(tok) -> str:
    """A named subject as a key: the last word of a person or body ("Edward Brooke" → 'brooke')."""
    if tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
        ent = next((e for e in tok.doc.ents if e.start <= tok.i < e.end), None)
        words = [w for w in (ent.text if ent is not None else tok.text).split() if w.lower().strip(".") not in NAME_TITLES]
        return words[-1].lower() if words else ""
    return ""


def _date_slots(anchor, prep: str) -> set:
    """The slots of a date: the happening it dates (an event noun, or a verb with its subject/object)."""
    slots = set()
    if anchor.pos_ in ("NOUN", "PROPN"):
        c = event_class(_lemma(anchor))
        if c:
            slots.add(("date", c))
        return slots
    if anchor.pos_ in ("VERB", "AUX"):
        verb = _lemma(anchor)
        if verb not in REPORTING_VERBS and verb not in ("be", "have"):
            slots.add(("date", "@" + verb))  # weak: the same verb in two matched statements
        for n in _nouns_of(anchor):
            c = event_class(_lemma(n))
            if c:
                slots.add(("date", c) if verb not in REPORTING_VERBS else ("date-reported", c))
                if verb not in REPORTING_VERBS:
                    slots.add(("date", c, verb))  # strong: the happening and what it did ("primary … held")
            # an object under "of" ("the exchange of prisoners"): the noun itself already counted
            ek = _entity_key(n)
            if ek and n.dep_ in ("nsubj", "nsubjpass") and verb not in REPORTING_VERBS:
                slots.add(("date", f"{verb}:{ek}", "who"))
    return slots


def _nearby_event(tok) -> set:
    """When the parse ties a date to nothing dated, the words around it: "a primary in April"."""
    doc = tok.doc
    before = doc[max(0, tok.i - 3):tok.i]
    if before and before[-1].lower_ in ("in", "on") and len(before) >= 2:
        c = event_class(_lemma(before[-2]))
        if c:
            return {("date", c)}
    return set()


def _calendar(doc, text, year):
    out = []
    for d in find_dates(text, year=None):
        toks = _span_tokens(doc, d.start, d.end)
        if not toks:
            continue
        anchor, prep = _anchor(_root(toks))
        explicit_year = None if d.iso.startswith("--") else d.iso[:4]
        mmdd = d.iso[-5:]
        v = Value("date", d.text, ("day", explicit_year, mmdd[:2], mmdd, d.weekday or None), d.iso, d.start, d.end,
                  _date_slots(anchor, prep) | _nearby_event(toks[0]))
        out.append(v)
    return out


def statement_facts(text: str, doc=None, *, year: int | None = None) -> StatementFacts:
    """The values of one statement with their slots (``doc``: its spaCy parse; parsed here if None)."""
    if doc is None:
        doc = parse([text])[0]
    values: list[Value] = []
    if doc is None:  # no trained pipeline: nothing can be aligned, so nothing is compared
        return StatementFacts(text, [], {}, set(), set(), set())
    taken: list[tuple[int, int]] = []

    def free(s, e):
        return not any(s < b and a < e for a, b in taken)

    # calendar dates, month and weekday mentions, year ranges
    for v in _calendar(doc, text, year):
        values.append(v)
        taken.append((v.start, v.end))
    for m in _RANGE_RX.finditer(text):
        if not free(m.start(), m.end()):
            continue
        a, b = (m.group("a"), m.group("b")) if m.group("a") else (m.group("c"), m.group("d"))
        toks = _span_tokens(doc, m.start(), m.end())
        anchor, _ = _anchor(_root(toks))
        while anchor.dep_ in ("prep",) and anchor.head.i != anchor.i:
            anchor = anchor.head
        slots = set()
        if anchor.pos_ in ("VERB", "AUX"):
            for n in _nouns_of(anchor):
                if n.dep_ in ("nsubj", "nsubjpass") or n.i == anchor.head.i:
                    k = _entity_key(n) or (_entity_key(n.head) if n.dep_ == "appos" else "")
                    if k:
                        slots.add(("period", k, "range"))
        if not slots:  # the parse gave no subject: the nearest person named before the range
            people = [e for e in doc.ents if e.label_ == "PERSON" and e.end_char <= m.start()]
            if people:
                slots.add(("period", person_key(people[-1].text)[0], "range"))
        values.append(Value("date", m.group(0), ("range", int(a), int(b)), f"{a}–{b}", m.start(), m.end(), slots))
        taken.append((m.start(), m.end()))
    for m in _MONTH_RX.finditer(text):
        if not free(m.start(), m.end()):
            continue
        toks = _span_tokens(doc, m.start("mon"), m.end("mon"))
        if not toks:
            continue
        anchor, prep = _anchor(_root(toks))
        mo = MONTHS[m.group("mon").lower()]
        values.append(Value("date", m.group(0), ("month", m.group("year"), f"{mo:02d}", None, None),
                            f"{m.group('year') or '-'}-{mo:02d}", m.start(), m.end(), _date_slots(anchor, prep) | _nearby_event(toks[0])))
        taken.append((m.start(), m.end()))
    for m in _WEEKDAY_RX.finditer(text):
        if not free(m.start(), m.end()):
            continue
        toks = _span_tokens(doc, m.start(), m.end())
        anchor, prep = _anchor(_root(toks))
        values.append(Value("date", m.group(0), ("weekday", None, None, None, m.group("wd").lower()),
                            m.group("wd").lower(), m.start(), m.end(), _date_slots(anchor, prep)))
        taken.append((m.start(), m.end()))
    for m in _YEAR_RX.finditer(text):
        if not free(m.start(), m.end()):
            continue
        toks = _span_tokens(doc, m.start("year"), m.end("year"))
        if not toks:
            continue
        anchor, prep = _anchor(_root(toks))
        values.append(Value("date", m.group("year"), ("year", m.group("year"), None, None, None), m.group("year"),
                            m.start("year"), m.end("year"), _date_slots(anchor, prep) | _nearby_event(toks[0])))
        taken.append((m.start(), m.end()))
    # durations, in days
    for d in find_durations(text, year=None):
        if not free(d.start, d.end):
            continue
        toks = _span_tokens(doc, d.start, d.end)
        if not toks:
            continue
        anchor, prep = _anchor(_root(toks))
        slots = set()
        if anchor.pos_ in ("VERB", "AUX", "ADJ"):
            slots.add(("duration", _lemma(anchor)))
        elif anchor.pos_ == "NOUN":
            slots.add(("duration", _lemma(anchor)))
        lo, hi = d.low * 365.25, (d.high * 365.25 if d.high != INF else INF)
        values.append(Value("duration", d.text, ("days", round(lo, 3), round(hi, 3) if hi != INF else INF),
                            _fmt_days(lo, hi), d.start, d.end, slots, approximate=d.low != d.high))
        taken.append((d.start, d.end))
    # ratios ("two in three", "2-in-3")
    for m in _RATIO_RX.finditer(text):
        if not free(m.start(), m.end()):
            continue
        a = int(m.group("a")) if m.group("a").isdigit() else _SMALL[m.group("a").lower()]
        b = int(m.group("b")) if m.group("b").isdigit() else _SMALL[m.group("b").lower()]
        if b:
            taken.append((m.start(), m.end()))  # a share, not a count: compared as one number below
            toks = _span_tokens(doc, m.start(), m.end())
            noun = next((t for t in toks[-1].head.subtree if t.pos_ == "NOUN"), None) if toks else None
            values.append(Value("number", m.group(0), ("range", a / b * 100, a / b * 100, True), f"{a / b:.0%}",
                                m.start(), m.end(), {("share", _lemma(noun) if noun is not None else "")}))
    # counts and amounts
    for q in find_numbers(text, skip=taken):
        if q.vague or (q.value < 2 and q.low == q.high):
            continue
        toks = _span_tokens(doc, q.start, q.end)
        if not toks:
            continue
        root = toks[-1]  # the number itself ("16" of "some 16", "million" of "1.5 million")
        if any(t.lower_ in ("no", "no.", "number") for t in doc[max(0, toks[0].i - 1):toks[0].i]):
            continue  # "world No 4": a rank, not a count
        noun = root.head if root.dep_ in ("nummod", "quantmod", "compound") and root.head.pos_ in ("NOUN", "PROPN") else None
        if noun is None and root.pos_ == "NOUN":
            noun = root
        slots = set()
        unit = "percent" if q.percent else ("money" if re.search(r"[$€£]\s*$", text[max(0, q.start - 2):q.start]) else "")
        if noun is not None:
            slots.add(("number", _lemma(noun)))
            gov = noun.head
            while gov.dep_ in ("prep", "pobj", "conj", "compound", "amod") and gov.head.i != gov.i:
                gov = gov.head
            if gov.pos_ in ("VERB", "AUX") and _lemma(gov) not in ("be", "have"):
                slots.add(("number", _lemma(noun), _lemma(gov)))  # strong: what was counted, doing what
                slots.add(("number", "@" + _lemma(gov)))  # weak: a count of what the verb did, in matched statements
        elif unit:
            slots.add(("number", unit + ":" + (_lemma(root.head) if root.head.i != root.i else "")))
        values.append(Value("number", q.text, ("range", q.low, q.high, q.percent), _fmt_range(q.low, q.high, q.percent),
                            q.start, q.end, slots, approximate=q.low != q.high))
    # ordinals of happenings ("the second round of negotiations", "the first direct talks")
    for t in doc:
        if t.lower_ in ORDINALS and t.dep_ == "amod":
            head = t.head
            if _lemma(head) == "round":
                of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
                obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
                cls = event_class(_lemma(obj)) if obj is not None else "talks"
            else:
                cls = event_class(_lemma(head))
            if cls:
                values.append(Value("ordinal", f"{t.text} {head.text}", ("ordinal", ORDINALS[t.lower_]), t.text,
                                    t.idx, head.idx + len(head), {("ordinal", cls, "which")}))
    # places, by the role they fill: "arrived in Geneva", "the delegation from South Korea"
    for ent in doc.ents:
        if ent.label_ not in ("GPE", "LOC", "FAC"):
            continue
        r = ent.root
        if r.dep_ == "pobj" and r.head.dep_ == "prep" and r.head.head.i != r.head.i:
            head = r.head.head
            values.append(Value("place", ent.text, ("place", place_key(ent.text)), place_key(ent.text),
                                ent.start_char, ent.end_char, {("place", _lemma(head), r.head.lower_)}))
    # people, by the role they fill
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        r = ent.root
        if r.dep_ in ("nsubj", "nsubjpass", "dobj") and r.head.pos_ == "VERB" and _lemma(r.head) not in REPORTING_VERBS:
            key = person_key(ent.text)
            if key[0]:
                values.append(Value("person", ent.text, ("person",) + key, " ".join(x for x in (key[1], key[0]) if x),
                                    ent.start_char, ent.end_char, {("person", _lemma(r.head), r.dep_.replace("pass", ""))}))
    # a person's title at the time told ("Moore, then an assistant district attorney, ...")
    for t in doc:
        if t.dep_ == "appos" and t.pos_ == "NOUN" and t.head.ent_type_ == "PERSON" and \
                any(c.dep_ == "advmod" and c.lower_ == "then" for c in t.children):
            words = [c for c in t.children if c.dep_ in ("amod", "compound") and c.i < t.i] + [t]
            words.sort(key=lambda x: x.i)
            ent = next((e for e in doc.ents if e.start <= t.head.i < e.end), None)
            key = person_key(ent.text if ent is not None else t.head.text)[0]
            if key:
                label = " ".join(w.lower_ for w in words)
                values.append(Value("title", doc[words[0].i:t.i + 1].text, ("title", tuple(w.lower_ for w in words)),
                                    label, words[0].idx, t.idx + len(t), {("title", key, "then")}))
    negated = {}
    for t in doc:
        if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass"):
            obj = next((_lemma(c) for c in t.children if c.dep_ in ("dobj", "attr", "xcomp", "ccomp")), "")
            neg = next((c.text for c in t.children if c.dep_ == "neg"), "")
            if _lemma(t) not in ("be", "have", "do", "say", "tell"):
                negated[(_lemma(t), obj)] = neg
    happenings, definite = set(), set()
    days = [v for v in values if v.kind == "date" and v.norm[0] == "day"]
    for t in doc:
        c = event_class(_lemma(t)) if t.pos_ in ("NOUN", "PROPN") else ""
        if not c:
            continue
        if len(days) == 1:
            happenings.add((c, days[0].norm[3]))
        elif not days and any(ch.lower_ == "the" for ch in t.children):
            definite.add(c)
    content = {_lemma(t) for t in doc if t.is_alpha and not t.is_stop and t.pos_ in ("NOUN", "VERB", "PROPN", "ADJ", "NUM")}
    return StatementFacts(text, values, negated, happenings, definite, content)


def place_key(name: str) -> str:
    """One place, several names: "the Russian Federation" → 'russia', "U.S." → 'united states'."""
    from ..ingest.text import normalise
    from .lexicon import PLACE_ALIASES

    n = re.sub(r"^the ", "", normalise(name))
    return PLACE_ALIASES.get(n, n)


def person_key(name: str) -> tuple[str, str]:
    """(surname, first-name initial) of a person's name, titles and middle initials dropped:
    "Michael T. Flynn", "Gen. Michael Flynn" and "Mr. Flynn" all have the surname 'flynn'.

    >>> person_key("Michael T. Flynn"), person_key("Mr. Jacob J. Lew")
    (('flynn', 'm'), ('lew', 'j'))
    """
    words = [w.strip(".,’'") for w in re.sub(r"['’]s$", "", name).split()]
    words = [w for w in words if w and w.lower() not in NAME_TITLES and not re.fullmatch(r"[A-Z]\.?|Jr|Sr|II|III", w)]
    if not words:
        return "", ""
    return words[-1].lower(), (words[0][0].lower() if len(words) > 1 else "")


def _fmt_range(lo: float, hi: float, percent: bool = False) -> str:
    u = "%" if percent else ""
    if hi == INF:
        return f">{lo:g}{u}"
    if abs(hi - lo) < 1e-9:
        return f"{lo:g}{u}"
    return f"{lo:g}–{hi:g}{u}"


def _fmt_days(lo: float, hi: float) -> str:
    def one(d):
        return f"{d:.0f} days" if d < 60 else (f"{d / 30.44:.1f} months" if d < 730 else f"{d / 365.25:.1f} years")
    if hi == INF:
        return f"at least {one(lo)}"
    if abs(hi - lo) < 1e-6:
        return one(lo)
    return f"{one(lo)} – {one(hi)}"
