"""Discrepancies: where two statements of the same thing disagree on a fact.

Two routes lead to a comparison:

* matched pairs (from :func:`factbench.matching.match`): every kind is compared: date, number, duration,
  place, actor/entity, negation;
* fact slots: statements (from different outlets, or within one article for event dates) that carry
  the same kind of value in the same context: a shared event noun for dates ("the exchange … June 20"
  vs "announced the exchange … June 19"), or a shared content word next to a duration or a place
  ("held captive for over two years" vs "endured captivity for over three years"; "transported to
  Russia for medical treatment" vs "transferred to Belarus for medical support"). Rewritten reports
  keep their facts more than their words, so these pairs are often too far apart for matching.

Values are normalised before they are compared: dates to ISO, numbers and durations to ranges.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"],
...     "text": ["Talks with South Korea resumed on June 20.", "Talks with North Korea resumed on June 19."]})
>>> pairs = pd.DataFrame({"claim_id_l": ["a"], "claim_id_r": ["b"], "score": [95.0]})
>>> discrepancies(claims, pairs)[["kind", "value_l", "value_r"]].values.tolist()
[['date', '--06-20', '--06-19'], ['place', 'South Korea', 'North Korea']]
"""

from __future__ import annotations

import re
from typing import Iterable

import numpy as np
import pandas as pd

from .. import schema
from ..ingest.text import normalise
from .lexicon import CONTEXT_STOP_WORDS, EVENT_NOUNS, MONTHS, PLACE_ALIASES, WEEKDAYS
from ..claims.values import INF, date_mentions, find_dates, find_durations, find_numbers, weekday_mismatch

_NOT_PLACE = re.compile(rf"(?i)^({'|'.join(WEEKDAYS + MONTHS)})|(ian|ese|ish|ean|ic)$|['’]s$")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NEG = re.compile(r"\b(not|no|never|neither|nor|none|nobody|nothing|without|n't|cannot|denied|denies|deny|refused|rejected)\b|n['’]t\b", re.I)
_PLACE_PREP = re.compile(r"\b(to|in|into|from|at|near|inside|across|toward|towards)\s+(?:the\s+)?$", re.I)
_PLACE_LABELS = {"GPE", "LOC", "FAC"}
_ACTOR_LABELS = {"PERSON", "ORG"}


def stem(word: str) -> str:
    """A crude stem: the first six letters, lower case ("captive", "captivity" → "captiv")."""
    return word.lower()[:6]


def _stems(text: str, exclude: Iterable[tuple[int, int]] = ()) -> list[tuple[int, str]]:
    """Positions and stems of the lower-case content words (names are entities, not context)."""
    ex = list(exclude)
    return [(m.start(), stem(m.group(0))) for m in _WORD.finditer(text)
            if m.group(0).lower() not in CONTEXT_STOP_WORDS and len(m.group(0)) >= 4 and m.group(0)[0].islower()
            and not any(a <= m.start() < b for a, b in ex)]


def _window(stems: list[tuple[int, str]], start: int, end: int, width: int = 45) -> set[str]:
    return {s for pos, s in stems if start - width <= pos < end + width and not (start <= pos < end)}


def _place_key(name: str) -> str:
    n = normalise(name)
    n = re.sub(r"^the ", "", n)
    return PLACE_ALIASES.get(n, n)


def _overlap(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return a[0] < b[1] and b[0] < a[1] or a == b


def _point_range(q) -> tuple[float, float]:
    if q.low == q.high:
        return (q.low - 1e-9, q.high + 1e-9)
    return (q.low, q.high)


def _fmt_range(low: float, high: float, unit: str = "") -> str:
    u = f" {unit}" if unit else ""
    if high == INF:
        return f">{low:g}{u}"
    if abs(high - low) < 1e-6:
        return f"{low:g}{u}"
    return f"{low:g}-{high:g}{u}"


class _Facts:
    """The comparable facts of one claim, found once."""

    def __init__(self, text: str, entities, year: int | None):
        self.text = text
        self.dates = find_dates(text, year=year)
        self.mentions = date_mentions(text, year=year)
        self.durations = find_durations(text, year=year)
        taken = [(d.start, d.end) for d in self.dates] + [(d.start, d.end) for d in self.durations]
        self.numbers = [q for q in find_numbers(text, skip=taken) if q.value >= 2 or q.low != q.high]
        self.entities = []
        for e in entities if isinstance(entities, (list, tuple, np.ndarray)) else []:
            if isinstance(e, dict) and e.get("label") in _PLACE_LABELS | _ACTOR_LABELS:
                self.entities.append((e["text"], e["label"]))
        if not self.entities:
            self.entities = _capitalised(text)
        ent_spans = [(m.start(), m.end()) for name, _ in self.entities for m in re.finditer(re.escape(name), text)]
        self.stems = _stems(text, exclude=ent_spans + taken)
        self.events = {s for _, s in self.stems if s in EVENT_NOUNS}
        # the event each date belongs to: the nearest event noun within 80 characters
        self.date_events = []
        for d in self.dates:
            near = [(min(abs(pos - d.start), abs(pos - d.end)), st) for pos, st in self.stems if st in EVENT_NOUNS]
            near = [x for x in near if x[0] <= 80]
            self.date_events.append(min(near)[1] if near else "")
        self.negated = len(_NEG.findall(text)) % 2 == 1
        self.places = []  # (name, context stems) for places after a preposition: destinations and locations
        for name, label in self.entities:
            if (label not in _PLACE_LABELS and label != "?") or _NOT_PLACE.search(name):
                continue
            for m in re.finditer(r"\b" + re.escape(name) + r"\b", text):
                if _PLACE_PREP.search(text[max(0, m.start() - 12):m.start()]):
                    self.places.append((name, _window(self.stems, m.start(), m.end())))


def _capitalised(text: str) -> list[tuple[str, str]]:
    """Entity fallback with no entity recogniser: runs of capitalised words not opening the sentence."""
    out = []
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b([A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)", text):
        out.append((m.group(1), "?"))
    return out


def _row(l: str, r: str, kind: str, vl: str, vr: str, why: str) -> dict:
    return {"claim_id_l": l, "claim_id_r": r, "kind": kind, "value_l": vl, "value_r": vr, "explanation": why}


ALL_KINDS = frozenset({"date", "number", "duration", "place", "entity", "negation"})


def compare(fl: _Facts, fr: _Facts, *, kinds: set[str] | frozenset = ALL_KINDS, slot_places: bool = False,
            event_dates: bool = False) -> list[tuple[str, str, str, str]]:
    """(kind, value_l, value_r, explanation) for each fact on which two statements disagree.

    ``slot_places``: compare only places after a preposition whose contexts share a word (for pairs
    that are not close paraphrases). ``event_dates``: compare only dates attached to the same event."""
    out = []
    if "date" in kinds and fl.dates and fr.dates:
        def md(d):
            return d.iso[-5:]
        if event_dates:
            common = {e for e in fl.date_events if e} & {e for e in fr.date_events if e}
            sl = {md(d) for d, e in zip(fl.dates, fl.date_events) if e in common}
            sr = {md(d) for d, e in zip(fr.dates, fr.date_events) if e in common}
        else:
            sl, sr = {md(d) for d in fl.dates}, {md(d) for d in fr.dates}
        if sl and sr and not sl & sr:
            vl, vr = ", ".join(d.iso for d in fl.dates), ", ".join(d.iso for d in fr.dates)
            out.append(("date", vl, vr, f"dates differ: {', '.join(d.text for d in fl.dates)!r} vs "
                                        f"{', '.join(d.text for d in fr.dates)!r}"))
    if "date" in kinds and not event_dates and not (fl.dates and fr.dates):
        # no calendar day on both sides: compare at the finest level both name (month, year, weekday)
        a, b = fl.mentions, fr.mentions
        for level, label in (("months", "month"), ("years", "year"), ("weekdays", "weekday")):
            x, y = getattr(a, level), getattr(b, level)
            if x and y:
                if not x & y:
                    fmt = (lambda v: f"--{v}") if level == "months" else (lambda v: v)
                    out.append(("date", ", ".join(fmt(v) for v in sorted(x)), ", ".join(fmt(v) for v in sorted(y)),
                                f"{label}s differ: {', '.join(a.texts)!r} vs {', '.join(b.texts)!r}"))
                break
    if "duration" in kinds and fl.durations and fr.durations:
        if not any(_overlap((a.low, a.high), (b.low, b.high)) for a in fl.durations for b in fr.durations):
            a, b = fl.durations[0], fr.durations[0]
            out.append(("duration", _fmt_range(a.low, a.high, "years"), _fmt_range(b.low, b.high, "years"),
                        f"durations do not overlap: {a.text!r} vs {b.text!r}"))
    if "number" in kinds and fl.numbers and fr.numbers:
        pairs = _aligned_numbers(fl, fr)
        for a, b in pairs:
            if not _overlap(_point_range(a), _point_range(b)):
                out.append(("number", _fmt_range(a.low, a.high), _fmt_range(b.low, b.high),
                            f"numbers differ: {a.text!r} vs {b.text!r}"))
                break
    if slot_places:
        if "place" in kinds:
            for pl, cl in fl.places:
                hit = next(((pr, cr) for pr, cr in fr.places if cl & cr and _place_key(pl) != _place_key(pr)
                            and _place_key(pr) not in {_place_key(x) for x, _ in fl.places}
                            and _place_key(pl) not in {_place_key(x) for x, _ in fr.places}), None)
                if hit:
                    shared = ", ".join(sorted(cl & hit[1]))
                    out.append(("place", pl, hit[0], f"places differ: {pl!r} vs {hit[0]!r} (context: {shared})"))
                    break
    elif "place" in kinds or "entity" in kinds:
        out += _entity_differences(fl, fr, kinds)
    if "negation" in kinds and fl.negated != fr.negated:
        neg = fl if fl.negated else fr
        word = _NEG.search(neg.text).group(0)
        out.append(("negation", "negated" if fl.negated else "affirmed", "negated" if fr.negated else "affirmed",
                    f"one statement is negated ({word!r}), the other is not"))
    return out


def _noun_after(text: str, end: int) -> str:
    m = re.match(r"\s+(?:[\w-]+\s+){0,2}?([A-Za-z]{4,})", text[end:end + 40])
    return stem(m.group(1)) if m else ""


def _aligned_numbers(fl: _Facts, fr: _Facts):
    """Number pairs that count the same thing: the same noun after them, or the only number on each side."""
    out = []
    heads_r = {}
    for b in fr.numbers:
        heads_r.setdefault(_noun_after(fr.text, b.end), b)
    for a in fl.numbers:
        h = _noun_after(fl.text, a.end)
        if h and h in heads_r:
            out.append((a, heads_r[h]))
    if not out and len(fl.numbers) == 1 and len(fr.numbers) == 1 and fl.numbers[0].percent == fr.numbers[0].percent:
        out.append((fl.numbers[0], fr.numbers[0]))
    return out


def _entity_differences(fl: _Facts, fr: _Facts, kinds: set[str]):
    out = []
    tl, tr = normalise(fl.text), normalise(fr.text)
    only_l = [(n, lab) for n, lab in fl.entities if normalise(n) not in tr]
    only_r = [(n, lab) for n, lab in fr.entities if normalise(n) not in tl]
    for want, kind in ((_PLACE_LABELS | {"?"}, "place"), (_ACTOR_LABELS | {"?"}, "entity")):
        if kind not in kinds:
            continue
        a = [n for n, lab in only_l if lab in want and not _NOT_PLACE.search(n)]
        b = [n for n, lab in only_r if lab in want and not _NOT_PLACE.search(n)]
        if kind == "entity":  # unlabelled names count once, as places
            a = [n for n in a if (n, "?") not in fl.entities]
            b = [n for n in b if (n, "?") not in fr.entities]
        if a and b:
            a_keys, b_keys = {_place_key(x) for x in a}, {_place_key(x) for x in b}
            if a_keys != b_keys:
                out.append((kind, a[0], b[0], f"{'places' if kind == 'place' else 'actors'} differ: "
                                              f"{a[0]!r} vs {b[0]!r}"))
    return out


def _slot_pairs(facts: list[_Facts], outlets: np.ndarray, articles: np.ndarray, max_bucket: int = 200):
    """(i, j, kinds) for statements that share a fact slot (see module docstring)."""
    buckets: dict[tuple[str, str], list[int]] = {}
    for k, f in enumerate(facts):
        for ev in set(f.date_events) - {""}:
            buckets.setdefault(("date", ev), []).append(k)
        for d in f.durations[:1]:
            for s in _window(f.stems, d.start, d.end):
                buckets.setdefault(("duration", s), []).append(k)
        for _, ctx in f.places:
            for s in ctx:
                buckets.setdefault(("place", s), []).append(k)
    found: dict[tuple[int, int], set[str]] = {}
    for (kind, _), ks in buckets.items():
        if len(ks) < 2 or len(ks) > max_bucket:
            continue
        ks = sorted(set(ks))
        for p, i in enumerate(ks):
            for j in ks[p + 1:]:
                same_article = articles[i] == articles[j]
                if same_article and kind != "date":
                    continue
                if not same_article and outlets[i] == outlets[j]:
                    continue
                found.setdefault((i, j), set()).add(kind)
    return found


def discrepancies(corpus, pairs: pd.DataFrame | None = None, *, slots: bool = True) -> pd.DataFrame:
    """claim_id_l, claim_id_r, kind, value_l, value_r, explanation for every disagreement found.

    ``corpus``: a Corpus or a claims DataFrame (claim_id, article_id, outlet, text; entities and the
    articles' published dates are used when present). ``pairs``: matched pairs to compare on every
    kind. ``slots``: also compare statements that share a fact slot. A date whose weekday does not
    fit its year is flagged on its own (claim_id_r empty)."""
    claims = getattr(corpus, "claims", corpus)
    for col in ("claim_id", "article_id", "outlet", "text"):
        if col not in claims.columns:
            raise schema.SchemaError(f"claims table is missing column(s): {col}")
    claims = claims.reset_index(drop=True)
    years = [None] * len(claims)
    if hasattr(corpus, "articles"):
        pub = dict(zip(corpus.articles["article_id"], corpus.articles["published"]))
        years = [int(str(pub.get(a, ""))[:4]) if str(pub.get(a, ""))[:4].isdigit() else None for a in claims["article_id"]]
    ents = claims["entities"] if "entities" in claims.columns else [None] * len(claims)
    facts = [_Facts(t, e, y) for t, e, y in zip(claims["text"], ents, years)]
    index = {c: k for k, c in enumerate(claims["claim_id"].astype(str))}
    ids = claims["claim_id"].astype(str).tolist()
    rows, done = [], set()

    def add(i: int, j: int, kinds, how: str, slot: bool = False):
        if i > j:
            i, j = j, i
        for kind, vl, vr, why in compare(facts[i], facts[j], kinds=kinds, slot_places=slot, event_dates=slot):
            if (i, j, kind) in done:
                continue
            done.add((i, j, kind))
            rows.append(_row(ids[i], ids[j], kind, vl, vr, f"{why} ({how})"))

    if pairs is not None and len(pairs):
        methods = pairs["method"].astype(str) if "method" in pairs.columns else pd.Series([""] * len(pairs))
        for a, b, m in zip(pairs["claim_id_l"].astype(str), pairs["claim_id_r"].astype(str), methods):
            if a in index and b in index:
                if m.startswith("anchor:"):
                    # matched on a shared fact, not on wording: compare values and placed locations only
                    add(index[a], index[b], {"date", "number", "duration", "place"}, "statements sharing "
                        + m.split(":", 1)[1].split("+")[0], slot=True)
                else:
                    add(index[a], index[b], ALL_KINDS, "matched statements")
    if slots:
        outlets = claims["outlet"].astype(str).to_numpy()
        arts = claims["article_id"].astype(str).to_numpy()
        for (i, j), kinds in sorted(_slot_pairs(facts, outlets, arts).items()):
            where = "within one article" if arts[i] == arts[j] else "same fact slot"
            add(i, j, kinds, where, slot=True)
    for k, f in enumerate(facts):
        for d in f.dates:
            if weekday_mismatch(d):
                rows.append(_row(ids[k], "", "date", d.iso, d.weekday, f"{d.text!r}: {d.iso} is not a {d.weekday}"))
    out = pd.DataFrame(rows, columns=list(schema.TABLES["flags"]))
    return schema.conform(out, "flags")
