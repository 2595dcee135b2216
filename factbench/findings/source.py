"""Checking a text against its source: a summary, a rewrite or a report of one article.

Each sentence of the checked text is aligned to the source sentences that share most of its content
words; its values (people's names, other names, numbers, dates, years, weekdays and months) are then
read against the source:

* **absent**: a value that appears nowhere in the whole source, after normalisation (a person is
  present when the surname is; "the U.S." is "the United States"; "British" is there when "Britain"
  is; "the Rio Olympics" when one source sentence has "the Olympics in Rio"; "two" is 2; a number
  within the source's bounds and rounding is present, an ordinal only as that very number; a
  lower-case text takes the source's spelling of each word before names are read, and a full name
  from its own parse when the source cannot case the first name);
* **a first name the source does not give this person**: never at all ("Adam Milner" where the
  source says "Milner"), or the source gives the surname other first names ("Barbara Kemp" where it
  names "Ross Kemp"), or gives this first name only to someone else ("Luke Potts" where it has "Mrs
  Potts" and "Luke Evans"); role nouns, particles and suffixes are read as such ("striker", "del
  Bosque", "Jr.");
* **contradicted**: a value that the sentence it is aligned to (sharing at least half of its content
  words) gives differently in the same role, read from the dependency parse as for two reports
  (:func:`factbench.findings.discrepancies.compare`), when the checked value is not in that sentence.

Each flag explains itself in the columns of ``schema.TABLES["flags"]``: ``*_l`` is the source side
(for an absent value: the aligned source sentence, with ``norm_l`` "absent"), ``*_r`` the checked side.

>>> src = ["Natalia Moon moved to the Philippines in 2012.", "She won two awards on April 26."]
>>> rows = check_text(src, ["Natalia Moon moved to Japan in 2014.", "She won 2 awards on April 26."])
>>> [(r["kind"], r["value_l"], r["value_r"]) for r in rows]
[('place', 'Philippines', 'Japan'), ('date', '2012', '2014')]
>>> check_text(src, ["Natalia Moon won 2 awards."]) == []  # "two" is 2; the person is named
True
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Sequence

import pandas as pd
from rapidfuzz import fuzz

from .. import schema
from ..claims.values import find_dates, find_numbers
from ..ingest.text import normalise
from .lexicon import (CONTEXT_STOP_WORDS, MONTHS, NAME_SUFFIXES, NAME_TITLES, ORDINALS, PLACE_ALIASES, ROLE_NOUNS,
                      SURNAME_PARTICLES, WEEKDAYS)
from .syntax import parse

#: the confidence of a value absent from the whole source, by kind
_ABSENT = {"first name": 0.6, "person": 0.75, "place": 0.7, "name": 0.65, "number": 0.75, "date": 0.7}
#: spaCy entity labels read as names; a person, a place, or another name
_NAME_LABELS = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "name", "NORP": "name",
                "EVENT": "name", "WORK_OF_ART": "name", "LAW": "name", "PRODUCT": "name"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SCORE = re.compile(r"(?<![\d.,-])(\d{1,2})\s?[-–]\s?(\d{1,2})(?![\d.,%-])")
_ORDINAL_DIGITS = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_STEM = 5
#: a word a summariser put where it had none ("UNK"): not a value
_PLACEHOLDER = re.compile(r"\bUNK\b|<unk>", re.I)
#: names of peoples whose country's name does not start like them
_DEMONYMS = {"welsh": "wales", "french": "france", "dutch": "netherlands", "swiss": "switzerland", "irish": "ireland",
             "english": "england", "scottish": "scotland", "scots": "scotland", "british": "britain",
             "spanish": "spain", "danish": "denmark", "swedish": "sweden", "finnish": "finland", "polish": "poland",
             "turkish": "turkey", "greek": "greece", "thai": "thailand", "filipino": "philippines",
             "norwegian": "norway", "portuguese": "portugal", "peruvian": "peru", "belgian": "belgium"}


def _norm(text: str) -> str:
    """normalise(), with possessives dropped: "Marie Claire's" reads "marie claire"."""
    return re.sub(r"['’]s\b", "", normalise(text)).replace("'", "").replace("’", "")


def _stems(text: str) -> set:
    return {w.lower()[:_STEM] for w in _WORD.findall(text) if w.lower() not in CONTEXT_STOP_WORDS and len(w) > 2}


def truecase(text: str, source: str) -> str:
    """A text written all in lower case, with each word spelled as the source mostly spells it
    mid-sentence, and each sentence's first letter upper case (names can then be read). Lengths
    are kept, so offsets still hold; a text with capitals is returned as is.

    >>> truecase("natalia moon moved to the philippines . she sang", "In 2012 Natalia Moon left for the Philippines.")
    'Natalia Moon moved to the Philippines . She sang'
    """
    if any(c.isupper() for c in text):
        return text
    seen: dict[str, Counter] = {}
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Za-z][A-Za-z'’-]*)", source):
        seen.setdefault(m.group(1).lower(), Counter())[m.group(1)] += 1
    out = list(text)
    for m in _WORD.finditer(text):
        forms = seen.get(m.group(0))
        if forms:
            best, n = forms.most_common(1)[0]
            if best != m.group(0) and len(best) == len(m.group(0)) and n * 2 > sum(forms.values()):
                out[m.start():m.end()] = best
    s = "".join(out)
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), s)


class SourceIndex:
    """What a source says, in the forms a value is looked up in."""

    def __init__(self, sentences: Sequence[str]):
        self.sentences = [str(s) for s in sentences]
        self.text = " ".join(self.sentences)
        self.norm = " " + _norm(self.text) + " "
        self.words = set(self.norm.split())
        self.stems = [_stems(s) for s in self.sentences]
        self.numbers = [(q.low, q.high) for q in find_numbers(self.text) if not q.vague]
        self.numbers += [(float(m.group(1)),) * 2 for m in _ORDINAL_DIGITS.finditer(self.text)]
        self.years = set(_YEAR.findall(self.text))
        self.days = {d.iso[-5:] for d in find_dates(self.text)}
        self.scores = {tuple(sorted(m.groups())) for m in _SCORE.finditer(self.text)}
        #: exact numbers as written (a number's bounds, ordinals): an ordinal must be one of them
        self.exact = {x for q in find_numbers(self.text) for x in (q.low, q.high)}
        self.exact |= {float(m.group(1)) for m in _ORDINAL_DIGITS.finditer(self.text)}
        self.exact |= {float(ORDINALS[w]) for w in self.words if w in ORDINALS}
        self.full_names = _full_names(self.text)
        self.span_tokens = self.span_lower = None  # the sentences' words, made when first needed
        mid = {m.group(1).lower() for m in re.finditer(r"(?<![.!?\"“]\s)(?<!^)\b([A-Z][A-Za-z'’-]*)", self.text)}
        #: words the source writes in lower case and never capitalises mid-sentence ("striker")
        self.lower_only = {w for w in re.findall(r"\b[a-z][a-z'’-]*", self.text)} - mid
        self.first_names: dict[str, set] = {}  # surname → the first names the source gives it
        self.surnames: dict[str, set] = {}  # first name → the surnames the source gives it
        self.full_shown: dict[tuple, str] = {}  # (first name, surname) → as the source writes it
        for a, b, shown in self.full_names:
            self.first_names.setdefault(b, set()).add(a)
            self.surnames.setdefault(a, set()).add(b)
            self.full_shown.setdefault((a, b), shown)

    def has_phrase(self, phrase: str) -> bool:
        n = re.sub(r"^the ", "", _norm(phrase))
        return bool(n) and f" {n} " in self.norm

    def near(self, words: Sequence[str], slack: int = 3) -> bool:
        """Do these (normalised) words all occur in one source sentence, within ``slack`` words more than
        they number ("Rio" and "Olympics" in "the Olympics in Rio"; not "European" in one place and
        "Commission" in another)?

        >>> SourceIndex(["The Olympics in Rio opened.", "The European Union met.", "The Commission spoke."]).near(["european", "commission"])
        False
        """
        if not all(w in self.words for w in words):
            return False
        want = set(words)
        for sent in self.sentences:
            toks = _norm(sent).split()
            at = [i for i, t in enumerate(toks) if t in want]
            for a in at:  # the shortest stretch from each occurrence holding them all
                seen, b = set(), a
                while b < len(toks) and b - a <= len(want) + slack and seen != want:
                    if toks[b] in want:
                        seen.add(toks[b])
                    b += 1
                if seen == want:
                    return True
        return False

    def align(self, sentence: str, k: int = 2) -> list[tuple[int, float]]:
        """The source sentences that share most of ``sentence``'s content words: (index, share of its words)."""
        mine = _stems(sentence)
        if not mine:
            return []
        scored = sorted(((len(mine & s) / len(mine), i) for i, s in enumerate(self.stems)), reverse=True)[:k]
        return [(i, sc) for sc, i in scored if sc > 0]


def _name_present(label: str, name: str, src: SourceIndex) -> bool:
    """Is this name in the source, as written or in a form one reader takes for the same one?"""
    name = re.sub(r"['’]s$", "", name.strip())
    words = [w for w in re.findall(r"[A-Za-z0-9][A-Za-z0-9.&'’-]*", name) if w.lower().strip(".") not in NAME_TITLES]
    if not words:
        return True
    if src.has_phrase(name) or src.has_phrase(" ".join(words)):
        return True
    low = normalise(name)
    alias = PLACE_ALIASES.get(low) or PLACE_ALIASES.get(re.sub(r"^the ", "", low))
    if alias and (src.has_phrase(alias) or any(a == alias and src.has_phrase(k) for k, a in PLACE_ALIASES.items())):
        return True  # "Great Britain" where the source says "Britain"
    if alias is None and any(a == re.sub(r"^the ", "", low) and src.has_phrase(k) for k, a in PLACE_ALIASES.items()):
        return True
    if label == "PERSON":  # a person is named by the surname, in any of its transliterations
        return _spelled_alike(_norm(words[-1]), src.words)
    content = [_norm(w) for w in words if w.lower() not in CONTEXT_STOP_WORDS and not w[0].isdigit()]
    if len(words) > 1 and content and src.near(content):
        return True  # "the 2016 Rio Olympics" where the source has "the Olympics in Rio"
    if label == "NORP" or len(words) == 1:  # "British" for "Britain", "Scottish" for "Scotland"
        w = words[-1].lower()
        if w in _DEMONYMS and _DEMONYMS[w] in src.words:
            return True
        stem = w[:4] if len(w) > 4 else w
        if any(x.startswith(stem) for x in src.words):
            return True
    if re.fullmatch(r"[A-Z]{2,6}", name.replace(".", "")):  # an acronym: the initials of words the source has
        letters = name.replace(".", "").lower()
        caps = re.findall(r"\b[A-Z][a-z]+(?:\s+(?:of|for|and|the)?\s*[A-Z][a-z]+)+", src.text)
        if any("".join(w[0] for w in c.split() if w[0].isupper()).lower() == letters for c in caps):
            return True
    return False


def _spelled_alike(word: str, words: set) -> bool:
    """Is ``word`` among ``words``, or spelled as one of them by another transliteration
    ("Zelensky", "Zelenskyy", "Zelenskiy"; one or two letters apart in a name of five or more)?

    >>> _spelled_alike("zelensky", {"zelenskyy", "said"}), _spelled_alike("peskov", {"putin"})
    (True, False)
    """
    if word in words:
        return True
    if len(word) < 5:
        return False
    return any(w[0] == word[0] and abs(len(w) - len(word)) <= 2 and fuzz.ratio(w, word) >= 85 for w in words)


def _name_words(name: str, src: "SourceIndex | None" = None) -> list[str]:
    """The words of a person's name, without titles, role nouns, words ``src`` writes only in lower
    case, before it ("the Tottenham boss Mauricio Pochettino" → Mauricio Pochettino), nor a suffix
    ("Jr."); a surname's particles stay joined to it ("Vicente del Bosque" → Vicente, del Bosque).

    >>> _name_words("striker Myles Anderson"), _name_words("Vicente del Bosque"), _name_words("Robert Downey Jr.")
    (['Myles', 'Anderson'], ['Vicente', 'del Bosque'], ['Robert', 'Downey'])
    >>> _name_words("Tottenham boss Mauricio Pochettino")
    ['Mauricio', 'Pochettino']
    """
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"['’]s$", "", name.strip()))]
    lower_only = src.lower_only if src is not None else set()

    def skip(w):
        w = w.lower().strip(".")
        return w in NAME_TITLES or w in ROLE_NOUNS or w in CONTEXT_STOP_WORDS or w in lower_only

    while words and skip(words[0]):
        words.pop(0)
    roles = [k for k, w in enumerate(words[:-1]) if w.lower() in ROLE_NOUNS]
    if roles:  # "Tottenham boss Mauricio Pochettino"
        words = words[roles[-1] + 1:]
    while words and words[-1].lower().strip(".") in NAME_SUFFIXES:
        words.pop()
    for k in range(1, len(words) - 1):  # "del Bosque", "de la Vega", "al Douri"
        if words[k].lower() in SURNAME_PARTICLES:
            return words[:k] + [" ".join(words[k:])]
    return words


def _surname_key(word: str) -> str:
    """A surname as looked up: its last part, normalised ("del Bosque", "al-Douri" → "bosque", "douri")."""
    return _norm(re.split(r"[\s-]", word)[-1])


def _first_name_missing(name: str, src: SourceIndex) -> tuple[str, str]:
    """A person's first name that the source does not give this person: (the first name, why) or ("", "").

    * the source gives the surname with other first names and never with this one ("Barbara Kemp"
      where the source names "Ross Kemp");
    * the source gives the surname alone and this first name only to someone else ("Luke Potts"
      where the source has "Mrs Potts" and "Luke Evans"), or not at all ("Adam Milner" where it
      says only "Milner").

    >>> src = SourceIndex(["Ross Kemp returns.", "Barbara Windsor left.", "Kemp said so.", "Mrs Potts sang."])
    >>> _first_name_missing("Barbara Kemp", src)[1]
    "the source names this person 'Ross Kemp', never 'Barbara Kemp'"
    >>> _first_name_missing("Ross Kemp", src), _first_name_missing("Mr. Kemp", src)
    (('', ''), ('', ''))
    >>> _first_name_missing("Barbara Potts", src)[1]
    "the source gives 'Barbara' only to another person ('Barbara Windsor'), and calls this one 'Potts'"
    """
    words = _name_words(name, src)
    if len(words) < 2 or len(words[0]) < 3:
        return "", ""  # one word, or an initial
    first, last = _norm(words[0]), _surname_key(words[-1])
    given = src.first_names.get(last, set())
    if first in given or any(_norm(w) in given for w in words[1:-1]):
        return "", ""
    if given:
        shown = " or ".join(sorted(src.full_shown[(f, last)] for f in given)[:3])
        return words[0], f"the source names this person {shown!r}, never {words[0] + ' ' + words[-1]!r}"
    if first not in src.words:
        return words[0], f"the source names this person but never as {words[0]!r}"
    mine = {_surname_key(w) for w in words[1:]}  # "Izzat Ibrahim" is "Izzat Ibrahim al-Douri"
    others = sorted(src.full_shown[(first, s)] for s in src.surnames.get(first, set()) if s not in mine)
    if others and not _alone(first, src):
        return words[0], (f"the source gives {words[0]!r} only to another person ({others[0]!r}), "
                          f"and calls this one {words[-1]!r}")
    return "", ""


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*\.?|\S")
_CAPITAL = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?|[A-Z][a-z]+[-'’][A-Z][a-z]+")


def _full_names(text: str) -> list[tuple[str, str, str]]:
    """(first name, surname, the name as written), the first two normalised, of the two-word names in ``text``: a capitalised word before
    another (an initial may stand between: "Ross J. Kemp"), neither a title, a role noun, a particle nor
    a stop word, and the first not a word the text also puts after "in", "at", "from" (a place:
    "Galway United").

    >>> _full_names("Coach Daniel Ortega met Ross J. Kemp in Galway. Galway United won.")
    [('daniel', 'ortega', 'Daniel Ortega'), ('ross', 'kemp', 'Ross Kemp')]
    """
    toks = [m.group(0) for m in _TOKEN.finditer(text)]
    places = {toks[i + 1].lower() for i, t in enumerate(toks[:-1]) if t.lower() in ("in", "at", "from", "near")}
    out = []
    for i, a in enumerate(toks[:-1]):
        j = i + 2 if i + 2 < len(toks) and re.fullmatch(r"[A-Z]\.", toks[i + 1]) else i + 1
        b = toks[j]
        if not (_CAPITAL.fullmatch(a) and _CAPITAL.fullmatch(b)):
            continue
        al, bl = a.lower(), b.lower()
        if (i and toks[i - 1].lower() in ("in", "at", "from", "to", "of", "near")) or al in places or \
                any(w in NAME_TITLES or w in ROLE_NOUNS or w in CONTEXT_STOP_WORDS or w in SURNAME_PARTICLES or
                    w in NAME_SUFFIXES for w in (al, bl)):
            continue
        out.append((_norm(al), _surname_key(bl), f"{a} {b}"))
    return out


def _alone(first: str, src: SourceIndex) -> bool:
    """Does the source use ``first`` other than right before a surname (a person called by a first name)?"""
    total = len(re.findall(rf"\b{re.escape(first)}\b", src.norm))
    return total > sum(1 for a, _, _ in src.full_names if a == first)


def _number_present(lo: float, hi: float, src: SourceIndex) -> bool:
    from .discrepancies import _tolerance

    lo, hi = _tolerance(lo, hi)
    for a, b in src.numbers:
        a, b = _tolerance(a, b)
        if a <= hi + 1e-9 and lo <= b + 1e-9:
            return True
    return False


def _values(sentence: str, doc, raw_doc=None, src: SourceIndex | None = None) -> list[tuple[str, str, str, int]]:
    """(kind, as written, spaCy label or "", start) of the names, numbers and calendar words of a
    sentence. ``raw_doc``: the parse of a lower-case text as written; names found there only (the
    source cannot case a word it lacks) count when one of their words is nowhere in ``src``."""
    out = []
    taken = []
    for ent in (doc.ents if doc is not None else ()):
        if ent.label_ in _NAME_LABELS and not _PLACEHOLDER.search(ent.text):
            out.append((_NAME_LABELS[ent.label_], ent.text, ent.label_, ent.start_char))
            taken.append((ent.start_char, ent.end_char))
    for ent in (raw_doc.ents if raw_doc is not None else ()):
        if ent.label_ in ("PERSON", "GPE", "ORG", "NORP") and not _PLACEHOLDER.search(ent.text) and src is not None \
                and any(_norm(w) not in src.words for w in ent.text.split() if w not in CONTEXT_STOP_WORDS):
            over = [k for k, (a, b) in enumerate(taken) if ent.start_char < b and a < ent.end_char]
            if over and not (ent.label_ == "PERSON" and len(ent.text.split()) > 1):
                continue
            # a person's full name the source can't case ("jeremy Clarkson" read as the ORG "Clarkson"):
            # the lower-case parse's name stands for the pieces it covers
            out = [o for k, o in enumerate(out) if k not in over]
            taken = [t for k, t in enumerate(taken) if k not in over] + [(ent.start_char, ent.end_char)]
            text, start = ent.text, ent.start_char
            if ent.label_ == "PERSON":  # "defender scott anderson": the name starts after the role
                kept = _name_words(text, src)
                at = text.lower().find(kept[0].lower()) if kept else -1
                if at < 0:
                    continue
                text, start = text[at:], start + at
            out.append((_NAME_LABELS[ent.label_], text, ent.label_, start))
    for m in _YEAR.finditer(sentence):
        out.append(("date", m.group(0), "YEAR", m.start()))
    for m in _WORD.finditer(sentence):
        w = m.group(0).lower()
        if w in WEEKDAYS or (w in MONTHS and w != "may") or (w == "may" and m.group(0) == "May" and m.start() > 0):
            out.append(("date", m.group(0), "CAL", m.start()))
    for d in find_dates(sentence):
        out.append(("date", d.text, "DAY:" + d.iso[-5:], d.start))
    for m in _SCORE.finditer(sentence):  # a score or a tally: "lost 2-1"
        out.append(("number", m.group(0), "SCORE:" + "|".join(sorted(m.groups())), m.start()))
    for m in _ORDINAL_DIGITS.finditer(sentence):
        out.append(("number", m.group(0), f"ORD:{m.group(1)}", m.start()))
    years = [(m.start(), m.end()) for m in _YEAR.finditer(sentence)] + \
        [(d.start, d.end) for d in find_dates(sentence)] + [(m.start(), m.end()) for m in _SCORE.finditer(sentence)] + \
        [(m.start(), m.end()) for m in _ORDINAL_DIGITS.finditer(sentence)]
    for q in find_numbers(sentence, skip=years):
        if q.vague or (q.low == q.high and q.value < 2):
            continue  # "one", "a": said of anything
        if any(t.lower_ in ("no", "no.", "number") for t in _prev_tokens(doc, q.start)):
            continue  # "world No 4"
        out.append(("number", q.text, f"{q.low}|{q.high}", q.start))
    return out


def _prev_tokens(doc, start: int):
    if doc is None:
        return []
    return [t for t in doc if t.idx + len(t) <= start][-1:]


#: words of a sentence for the copied-words check: a word (with inner dots, hyphens, apostrophes) or a sign
_SPAN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]|[^\sA-Za-z0-9]")
#: what may stand between a name and what is said of it ("Louis Jordan, 37, took ...", "X, who plays ...")
_BETWEEN = {",", "who", "which", "aged", "-", "–", "(", ")", "and"}
_MIN_COPIED, _MAX_COPIED = 4, 10


def _span_tokens(text: str) -> list[str]:
    return [m.group(0) for m in _SPAN_TOKEN.finditer(text)]


#: what may stand between a name and what is said of it, as words: nothing, an age, "who"
_BETWEEN_FORMS = re.compile(r"|, \d+ ,|, aged \d+ ,|,? who|\( \d+ \)")


def _name_before(toks: list[str], i: int) -> tuple[list[str], int]:
    """The capitalised words right before token ``i`` (past an age or "who"; not past a lone comma,
    which closes an aside: "the horse he owns with Nicky Robinson, ran"): (words, first index)."""
    j, steps = i - 1, 0
    while j >= 0 and (toks[j] in _BETWEEN or toks[j].isdigit()) and steps < 4:
        j, steps = j - 1, steps + 1
    if not _BETWEEN_FORMS.fullmatch(" ".join(toks[j + 1:i])):
        return [], j + 1
    run = []
    while j >= 0 and toks[j] not in _BETWEEN and (toks[j][:1].isupper() or toks[j].lower() in SURNAME_PARTICLES):
        run.insert(0, toks[j])
        j -= 1
    return run, j + 1


def _person_words(words: list[str]) -> list[str]:
    """A capitalised run as a person's name: no titles, roles, calendar words, nor an owner before it
    ("Red Bull's Daniel Ricciardo" → Daniel Ricciardo); "Jolie's" → Jolie."""
    out = []
    for k, w in enumerate(words):
        lw = w.lower()
        if lw in CONTEXT_STOP_WORDS or lw in NAME_TITLES or lw in ROLE_NOUNS or lw in MONTHS or lw in WEEKDAYS \
                or w.endswith("-based"):
            continue
        if re.search(r"['’]s$", w):
            if k < len(words) - 1:
                out = []  # an owner: the name comes after it
                continue
            w = w[:-2]
        out.append(w)
    return out


def _moved_names(text: str, doc, src: SourceIndex) -> list[dict]:
    """People the checked text says something of that the source, in the same words, says of someone
    else: "Frank Jordan, 37, took his 35-foot sailboat out in late January" where the source has "Louis
    Jordan, 37, took his 35-foot sailboat out in late January". The words after the name (4 to 10, at
    least two content words) must stand in the source, each time right after another person's name, and
    never where this person is named earlier in that sentence (a subject shared by two people). The
    same for the words before a name ("the coach left out Adam Hill and" Ben Cole), where the source
    names another person right after them and not this one soon after.

    >>> src = SourceIndex(["Louis Jordan, 37, took his 35-foot sailboat out in late January, his father Frank said."])
    >>> [(r["value_l"], r["value_r"]) for r in _moved_names("Frank Jordan took his 35-foot sailboat out in late January.", None, src)]
    [('Louis Jordan', 'Frank Jordan')]
    >>> _moved_names("Louis Jordan took his 35-foot sailboat out.", None, src)
    []
    >>> src = SourceIndex(["Maria Lopez's Twitter audience is 25 per cent fake, the study says."])
    >>> [r["why"] for r in _moved_names("Anna Berg's Twitter audience is 25 per cent fake.", None, src)]
    ["the source says 'Twitter audience is 25 per cent fake' of Maria Lopez, not of Anna Berg"]
    >>> src = SourceIndex(["The coach left out Adam Hill and Ben Cole for the final."])
    >>> [r["why"] for r in _moved_names("The coach left out Adam Hill and Adam Hill.", None, src)]
    ["in the source 'The coach left out Adam Hill and' is followed by Ben Cole, not Adam Hill"]
    >>> _moved_names("The coach left out Adam Hill and Ben Cole.", None, src)
    []
    """
    if doc is None:
        doc = parse([text])[0]
        if doc is None:
            return []
    if src.span_tokens is None:
        src.span_tokens = [_span_tokens(x) for x in src.sentences]
        src.span_lower = [[t.lower().rstrip(".") for t in ts] for ts in src.span_tokens]
    toks = _span_tokens(text)
    low = [t.lower().rstrip(".") for t in toks]
    starts = [m.start() for m in _SPAN_TOKEN.finditer(text)]
    out = []
    for ent in doc.ents:
        if ent.label_ != "PERSON" or _PLACEHOLDER.search(ent.text):
            continue
        mine = _person_words(_name_words(ent.text, src))
        if not mine:
            continue
        i = ent_end = next((k for k, o in enumerate(starts) if o >= ent.end_char), len(toks))
        while i < len(toks) and (toks[i] in _BETWEEN or toks[i].isdigit()):
            i += 1
        owner = bool(re.match(r"['’]s\b", text[ent.end_char - 2 if re.search(r"['’]s$", ent.text) else ent.end_char:]))
        # "Clinton's Twitter audience ...": a possessed noun may start with a capital
        if i >= len(toks) or (toks[i][:1].isupper() and not owner) or not _BETWEEN_FORMS.fullmatch(" ".join(toks[ent_end:i])):
            continue  # another name, or an aside, follows: nothing is said of this one here
        said = _copied(low, i, src, after=True)
        if said:
            out += _said_of_another(said, mine, ent.text, " ".join(toks[i:i + len(said)]), src, after=True)
    for ent in doc.ents:  # the words before the name: "the Dutchman left out X and" Duncan Ferguson
        if ent.label_ != "PERSON" or _PLACEHOLDER.search(ent.text) or \
                any(r["value_r"] == ent.text for r in out):
            continue
        mine = _person_words(_name_words(ent.text, src))
        i = next((k for k, o in enumerate(starts) if o >= ent.start_char), len(toks))
        if not mine or i == 0 or toks[i - 1][:1].isupper():
            continue
        said = _copied(low, i, src, after=False)
        if said:
            out += _said_of_another(said, mine, ent.text, " ".join(toks[i - len(said):i]), src, after=False)
    return out


def _copied(low: list[str], i: int, src: SourceIndex, *, after: bool) -> list[str]:
    """The longest stretch of 4 to 10 words (two of them content words) starting at (``after``) or
    ending before token ``i`` that stands in the source as it is."""
    room = len(low) - i if after else i
    for n in range(min(_MAX_COPIED, room), _MIN_COPIED - 1, -1):
        said = low[i:i + n] if after else low[i - n:i]
        if sum(1 for w in said if w.isalpha() and w not in CONTEXT_STOP_WORDS) < 2:
            continue
        if any(said == sl[b:b + n] for sl in src.span_lower for b in range(len(sl) - n + 1)):
            return said
    return []


def _said_of_another(said: list[str], mine: list[str], shown: str, words: str, src: SourceIndex, *,
                     after: bool) -> list[dict]:
    """A flag when every place the source has these words puts another person's name right beside
    them (before them when ``after``, after them otherwise), a name the source's own parse reads as a
    person, and never this person's nearby."""
    keys = {_surname_key(w) for w in mine}
    n = len(said)
    others = []
    for a, sl in enumerate(src.span_lower):
        for b in range(len(sl) - n + 1):
            if sl[b:b + n] != said:
                continue
            if after:
                run, at = _name_before(src.span_tokens[a], b)
                near = set(sl[:at])  # this person named earlier in the sentence: a subject shared
            else:
                run, at = _name_after(src.span_tokens[a], b + n)
                near = set(sl[at:at + 8])  # this person named right after: one of a list
            theirs = _person_words(run)
            if not theirs or keys & near:
                return []
            if keys & {_surname_key(w) for w in theirs} and \
                    (len(mine) < 2 or len(theirs) < 2 or _norm(mine[0]) in {_norm(w) for w in theirs}):
                return []  # the same person
            sdoc = parse([src.sentences[a]])[0]
            if sdoc is None or not any(e.label_ == "PERSON" and theirs[-1] in e.text for e in sdoc.ents):
                return []  # not a person the source names ("Fall of an Empire: Story")
            others.append((a, " ".join(theirs)))
    if not others:
        return []
    a, who = others[0]
    return [{"j": a, "kind": "person", "value_l": who, "value_r": shown, "norm_l": normalise(who),
             "norm_r": normalise(" ".join(mine)), "role": f"who {words}" if after else f"{words} …",
             "why": f"the source says {words!r} of {who}, not of {' '.join(mine)}" if after else
             f"in the source {words!r} is followed by {who}, not {' '.join(mine)}",
             "confidence": 0.6}]


def _name_after(toks: list[str], i: int) -> tuple[list[str], int]:
    """The capitalised words from token ``i`` on: (words, index after them)."""
    run, j = [], i
    while j < len(toks) and toks[j] not in _BETWEEN and (toks[j][:1].isupper() or toks[j].lower() in SURNAME_PARTICLES):
        run.append(toks[j])
        j += 1
    return run, j


def check_text(source, checked: Sequence[str], *, source_text: str | None = None) -> list[dict]:
    """The values of each ``checked`` sentence that the ``source`` sentences lack or contradict,
    as dicts (index of the checked sentence ``i``, index of the aligned source sentence ``j`` or -1,
    kind, values as written and normalised, role, why, confidence), best first per sentence.
    ``source``: its sentences, or a :class:`SourceIndex` of them (built once for many texts)."""
    from .discrepancies import compare
    from .facts import statement_facts

    src = source if isinstance(source, SourceIndex) else SourceIndex(source)
    whole = source_text if source_text is not None else src.text
    cased = [truecase(s, whole) for s in checked]
    docs = parse(cased)
    raw = parse([s if c != s else "" for s, c in zip(checked, cased)])
    rows = []
    for i, (sent, text, doc, raw_doc) in enumerate(zip(checked, cased, docs, raw)):
        aligned = src.align(text)
        j = aligned[0][0] if aligned else -1
        flagged = set()
        for kind, shown, label, start in _values(text, doc, raw_doc if sent != text else None, src):
            if kind in ("person", "place", "name"):
                ok = _name_present(label, shown, src)
                norm = normalise(shown)
                if ok and label == "PERSON" and norm not in flagged:
                    first, why = _first_name_missing(shown, src)
                    if first:
                        flagged.add(norm)
                        rows.append({"i": i, "j": j, "kind": "person", "value_l": "",
                                     "value_r": sent[start:start + len(shown)], "norm_l": "absent", "norm_r": norm,
                                     "role": "first name of a person the source names",
                                     "why": why,
                                     "confidence": _ABSENT["first name"]})
                        continue
            elif label.startswith("DAY:"):
                ok, norm = label[4:] in src.days, label[4:]
            elif label.startswith("SCORE:"):
                ok, norm = tuple(label[6:].split("|")) in src.scores, label[6:].replace("|", "-")
            elif label.startswith("ORD:"):  # "the 70th anniversary": that very number, not one within bounds
                ok, norm = float(label[4:]) in src.exact, label[4:]
            elif label == "YEAR":
                ok = shown in src.years
                norm = shown
            elif label == "CAL":
                ok = shown.lower() in src.words
                norm = shown.lower()
            else:
                lo, hi = (float(x) for x in label.split("|"))
                ok = _number_present(lo, hi, src)
                norm = f"{lo:g}" if lo == hi else f"{lo:g}–{hi:g}"
            if ok or norm in flagged:
                continue
            flagged.add(norm)
            what = {"person": "this person", "place": "this place", "name": "this name", "number": "this number",
                    "date": "this date"}[kind]
            rows.append({"i": i, "j": j, "kind": kind, "value_l": "", "value_r": sent[start:start + len(shown)],
                         "norm_l": "absent", "norm_r": norm, "role": f"{kind} named in the checked text",
                         "why": f"{what} appears nowhere in the source", "confidence": _ABSENT[kind]})
        # a person the source's very words are said of someone else
        for m in _moved_names(text, doc, src):
            if normalise(m["value_r"]) not in {normalise(r["value_r"]) for r in rows if r["i"] == i}:
                rows.append({"i": i, **m, "value_r": sent[text.find(m["value_r"]):][:len(m["value_r"])]
                             if text.find(m["value_r"]) >= 0 else m["value_r"]})
        # a value the aligned sentence gives differently, in the same role
        if doc is not None and aligned and aligned[0][1] >= 0.5:
            sdoc = parse([src.sentences[j]])[0]
            fs, fc = statement_facts(src.sentences[j], sdoc), statement_facts(text, doc)
            for c in compare(fs, fc, matched=True, kinds={"date", "number", "duration", "person", "place"}):
                if normalise(c["value_r"]) in normalise(src.sentences[j]) or _PLACEHOLDER.search(c["value_r"]):
                    continue
                c = {**c, "why": c["why"] + " (in the source sentence it is aligned to)"}
                same = [r for r in rows if r["i"] == i and normalise(r["value_r"]) == normalise(c["value_r"])]
                if same:  # absent from the source, and the aligned sentence says otherwise: say both
                    if same[0]["norm_l"] == "absent":
                        same[0].update({k: c[k] for k in ("value_l", "norm_l", "norm_r", "role", "confidence")},
                                       why=c["why"] + "; it appears nowhere in the source")
                    continue
                k0, k1 = c["value_r"], text.find(c["value_r"])
                rows.append({"i": i, "j": j, **c, "value_r": sent[k1:k1 + len(k0)] if k1 >= 0 else k0})
    return rows


def source_discrepancies(corpus, source, *, min_confidence: float = 0.5) -> pd.DataFrame:
    """Flags (``schema.TABLES["flags"]``) for every other article of ``corpus`` read against the
    article(s) ``source`` names (an article id or an outlet), sorted by confidence."""
    from .discrepancies import flag_id
    from ..claims.load import claim_id_for

    arts, sents = corpus.articles, corpus.sentences
    is_src = (arts["article_id"].astype(str) == str(source)) | (arts["outlet"].astype(str) == str(source))
    if not is_src.any():
        raise ValueError(f"against_source={source!r} names no article id or outlet of this corpus")
    src_ids = list(arts["article_id"].astype(str)[is_src])
    src_sents = sents[sents["article_id"].astype(str).isin(src_ids)]
    src_list = src_sents["text"].astype(str).tolist()
    src_art = src_sents["article_id"].astype(str).tolist()
    rows = []
    index = SourceIndex(src_list)
    by_article = sents.groupby(sents["article_id"].astype(str), sort=False)["text"].agg(list).to_dict()
    for aid in arts["article_id"].astype(str)[~is_src]:
        mine = [str(t) for t in by_article.get(aid, [])]
        for r in check_text(index, mine):
            if r["confidence"] < min_confidence:
                continue
            left = src_list[r["j"]] if r["j"] >= 0 else ""
            cl = claim_id_for(src_art[r["j"]], left) if r["j"] >= 0 else ""
            cr = claim_id_for(aid, mine[r["i"]])
            rows.append({"flag_id": flag_id(cl, cr, r["kind"], r["norm_l"], r["norm_r"]), "claim_id_l": cl,
                         "claim_id_r": cr, "event_id": "", "kind": r["kind"], "value_l": r["value_l"],
                         "value_r": r["value_r"], "norm_l": r["norm_l"], "norm_r": r["norm_r"], "text_l": left,
                         "text_r": mine[r["i"]], "role": r["role"],
                         "explanation": f"{r['role']}: " + (f"{r['value_r']!r}: {r['why']}" if r["norm_l"] == "absent"
                                                            else f"{r['value_l']!r} in the source vs {r['value_r']!r}; {r['why']}"),
                         "confidence": round(min(r["confidence"], 0.99), 3)})
    out = schema.conform(pd.DataFrame(rows, columns=list(schema.TABLES["flags"])), "flags")
    return out.sort_values(["confidence", "flag_id"], ascending=[False, True], ignore_index=True)
