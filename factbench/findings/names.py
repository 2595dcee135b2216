"""People's names read against a source: who a text names, and whether the source names them so.

* the words of a name without titles, role nouns and suffixes, a surname's particles kept
  (:func:`_name_words`); the full names a text gives (:func:`_full_names`);
* a first name the source does not give this person (:func:`_first_name_missing`);
* a person the source's very words are said of someone else (:func:`_moved_names`): "Frank Jordan took
  his sailboat out" where the source says it of Louis Jordan.

The source is a :class:`factbench.findings.source.SourceIndex`; :mod:`factbench.findings.source` reads
a whole text against it with these.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from ..ingest.text import normalise
from .lexicon import CONTEXT_STOP_WORDS, MONTHS, NAME_SUFFIXES, NAME_TITLES, ROLE_NOUNS, SURNAME_PARTICLES, WEEKDAYS
from .syntax import parse

if TYPE_CHECKING:
    from .source import SourceIndex


#: a word a summariser put where it had none ("UNK"): not a value
_PLACEHOLDER = re.compile(r"\bUNK\b|<unk>", re.I)


def _norm(text: str) -> str:
    """normalise(), with possessives dropped: "Marie Claire's" reads "marie claire"."""
    return re.sub(r"['’]s\b", "", normalise(text)).replace("'", "").replace("’", "")


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
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", re.sub(r"['’]s$", "", name.strip()))
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

    >>> from factbench.findings.source import SourceIndex
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


#: words of a sentence for the copied-words check: a word (with inner dots, hyphens, apostrophes) or a sign
_SPAN_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.-]*[A-Za-z0-9]|[A-Za-z0-9]|[^\sA-Za-z0-9]")

#: what may stand between a name and what is said of it ("Louis Jordan, 37, took ...", "X, who plays ...")
_BETWEEN = {",", "who", "which", "aged", "-", "–", "(", ")", "and"}

_MIN_COPIED, _MAX_COPIED = 4, 10


def _span_tokens(text: str) -> list[str]:
    return [m.group(0) for m in _SPAN_TOKEN.finditer(text)]


def _lowered(toks: list[str]) -> list[str]:
    """Words as the copied-words check compares them: lower case, no final dot."""
    return [t.lower().rstrip(".") for t in toks]


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

    >>> from factbench.findings.source import SourceIndex
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
    toks = _span_tokens(text)
    low = _lowered(toks)
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
