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
* **wording**: a sentence (no value of it flagged) that takes one content word in five or more from
  nowhere in the source, in any form (:mod:`factbench.findings.wording`): what it says, the source
  does not;
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
from functools import cached_property
from typing import Sequence

import pandas as pd

from .. import schema
from ..claims.values import find_dates, find_numbers
from ..ingest.text import normalise
from .lexicon import CONTEXT_STOP_WORDS, MONTHS, NAME_TITLES, ORDINALS, PLACE_ALIASES, STEM, WEEKDAYS
from .names import (_PLACEHOLDER, _first_name_missing, _full_names, _lowered, _moved_names, _name_words, _norm,
                    _span_tokens, _spelled_alike)
from .syntax import parse
from .wording import KIND as WORDING
from .wording import source_vocabulary, unsupported

#: the confidence of a value absent from the whole source, by kind
_ABSENT = {"first name": 0.6, "person": 0.75, "place": 0.7, "name": 0.65, "number": 0.75, "date": 0.7}
#: spaCy entity labels read as names; a person, a place, or another name
_NAME_LABELS = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "name", "NORP": "name",
                "EVENT": "name", "WORK_OF_ART": "name", "LAW": "name", "PRODUCT": "name"}
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SCORE = re.compile(r"(?<![\d.,-])(\d{1,2})\s?[-–]\s?(\d{1,2})(?![\d.,%-])")
_ORDINAL_DIGITS = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
#: names of peoples whose country's name does not start like them
_DEMONYMS = {"welsh": "wales", "french": "france", "dutch": "netherlands", "swiss": "switzerland", "irish": "ireland",
             "english": "england", "scottish": "scotland", "scots": "scotland", "british": "britain",
             "spanish": "spain", "danish": "denmark", "swedish": "sweden", "finnish": "finland", "polish": "poland",
             "turkish": "turkey", "greek": "greece", "thai": "thailand", "filipino": "philippines",
             "norwegian": "norway", "portuguese": "portugal", "peruvian": "peru", "belgian": "belgium"}


def _stems(text: str) -> set:
    return {w.lower()[:STEM] for w in _WORD.findall(text) if w.lower() not in CONTEXT_STOP_WORDS and len(w) > 2}


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
        quantities = find_numbers(self.text)
        ordinals = [float(m.group(1)) for m in _ORDINAL_DIGITS.finditer(self.text)]
        self.numbers = [(q.low, q.high) for q in quantities if not q.vague] + [(x, x) for x in ordinals]
        self.years = set(_YEAR.findall(self.text))
        self.days = {d.iso[-5:] for d in find_dates(self.text)}
        self.scores = {tuple(sorted(m.groups())) for m in _SCORE.finditer(self.text)}
        #: exact numbers as written (a number's bounds, ordinals): an ordinal must be one of them
        self.exact = {x for q in quantities for x in (q.low, q.high)} | set(ordinals)
        self.exact |= {float(ORDINALS[w]) for w in self.words if w in ORDINALS}
        self.full_names = _full_names(self.text)
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

    @cached_property
    def vocabulary(self) -> frozenset:
        """Every word of the source in every form (:func:`factbench.findings.wording.source_vocabulary`),
        from the full parse of its sentences (made when first needed)."""
        return source_vocabulary(parse(self.sentences))

    @cached_property
    def span_tokens(self) -> list[list[str]]:
        """Each sentence's words and signs, for the copied-words check (made when first needed)."""
        return [_span_tokens(s) for s in self.sentences]

    @cached_property
    def span_lower(self) -> list[list[str]]:
        """:attr:`span_tokens` as they are compared (:func:`factbench.findings.names._lowered`)."""
        return [_lowered(ts) for ts in self.span_tokens]

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
                at = text.find(m["value_r"])
                rows.append({"i": i, **m, "value_r": sent[at:at + len(m["value_r"])] if at >= 0 else m["value_r"]})
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
        # words the source never uses, in a sentence no value flagged
        new, n = unsupported(doc, src.vocabulary) if not any(r["i"] == i for r in rows) else ([], 0)
        if new:
            share = len(new) / n
            rows.append({"i": i, "j": j, "kind": WORDING, "value_l": "", "value_r": ", ".join(w for w, _ in new),
                         "norm_l": "absent", "norm_r": " ".join(sorted({lem for _, lem in new})),
                         "role": "content words of the checked sentence",
                         "why": f"{len(new)} of its {n} content words appear nowhere in the source, in any form",
                         "confidence": round(min(0.5 + 0.25 * share, 0.7), 3)})
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
