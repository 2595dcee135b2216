"""Find and normalise the facts inside a sentence: dates, numbers and durations.

Values come out comparable: dates as ISO strings (``--MM-DD`` when no year is known), numbers as
ranges (``over 1,000`` is [1000, inf), ``dozens`` is [24, 99]), durations as ranges of years
(``over two years`` is [2, 3): people say "over three" once it is three).

>>> [d.iso for d in find_dates("It took place on Friday, June 20, and on 4 July 2025.")]
['--06-20', '2025-07-04']
>>> [d.iso for d in find_dates("On June 19th", year=2025)]
['2025-06-19']
>>> [(q.low, q.high) for q in find_numbers("over 1,000 prisoners and dozens of civilians")]
[(1000.0, inf), (24.0, 99.0)]
>>> [(d.low, d.high) for d in find_durations("held captive for over two years")]
[(2.0, 3.0)]
>>> [(d.low, d.high) for d in find_durations("held since 2022", year=2025)]
[(2.0, 4.0)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

INF = math.inf

MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_WD = r"(?:(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday),?\s+)?"
_DATE_RXS = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(rf"\b{_WD}{_MON}\s+{_DAY}\b{_YEAR}", re.I),
    re.compile(rf"\b{_WD}(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MON}\b{_YEAR}", re.I),
]


@dataclass(frozen=True)
class DateValue:
    text: str
    start: int
    end: int
    iso: str  # YYYY-MM-DD or --MM-DD
    weekday: str = ""  # as written, lower case


def find_dates(text: str, *, year: int | None = None) -> list[DateValue]:
    """Calendar dates in ``text`` (month names, ISO), normalised; ``year`` fills in a missing year."""
    found: list[DateValue] = []
    taken: list[tuple[int, int]] = []
    for rx in _DATE_RXS:
        for m in rx.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            g = m.groupdict()
            if g.get("y"):
                y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
            else:
                mo = MONTHS.get(g["mon"].lower().rstrip("."))
                d = int(g["day"])
                y = int(g["year"]) if g.get("year") else year
            if not mo or not 1 <= d <= 31:
                continue
            try:
                iso = date(y, mo, d).isoformat() if y else date(2000, mo, d).strftime("--%m-%d")  # 2000: leap year
            except ValueError:
                continue
            found.append(DateValue(m.group(0), m.start(), m.end(), iso, (g.get("wd") or "").lower()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda v: v.start)


def weekday_mismatch(d: DateValue) -> bool:
    """True when a date with a known year names the wrong weekday ("Friday, June 20, 2025" is right)."""
    if not d.weekday or d.iso.startswith("--"):
        return False
    return WEEKDAYS[date.fromisoformat(d.iso).weekday()] != d.weekday


# ---------------------------------------------------------------- numbers

_UNITS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
          "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
          "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a dozen": 12,
          "a hundred": 100, "a thousand": 1000, "a million": 1e6, "a billion": 1e9}
_SCALES = {"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "bn": 1e9}
_VAGUE = {"a few": (2, 5), "few": (2, 5), "several": (3, 9), "a couple of": (2, 3), "dozens": (24, 99),
          "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999), "tens of thousands": (20000, 99999),
          "hundreds of thousands": (200000, 999999), "millions": (2e6, 9.99e6), "billions": (2e9, 9.99e9)}
_UNIT_WORDS = "|".join(sorted((re.escape(k) for k in _UNITS), key=len, reverse=True))
_VAGUE_WORDS = "|".join(sorted((re.escape(k) for k in _VAGUE), key=len, reverse=True))
_BOUND = (r"(?P<bound>more\s+than|over|above|at\s+least|nearly|almost|about|around|approximately|roughly|"
          r"some|up\s+to|fewer\s+than|less\s+than|under|below|no\s+more\s+than|exactly|only|just)?\s*")
_NUM_RX = re.compile(
    rf"(?<![\w.,]){_BOUND}(?:"
    rf"(?P<digits>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:\s*(?P<scale>hundred|thousand|million|billion|trillion|bn|k|m)\b)?"
    rf"|(?P<vague>{_VAGUE_WORDS})\b"
    rf"|(?P<word>{_UNIT_WORDS})(?:[\s-](?P<word2>one|two|three|four|five|six|seven|eight|nine))?(?:\s+(?P<wscale>hundred|thousand|million|billion))?\b"
    rf")(?P<pct>\s*(?:%|per\s?cent))?",
    re.I,
)


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    value: float  # the number as written (midpoint for vague words)
    low: float
    high: float
    percent: bool = False
    vague: bool = False  # "dozens", "thousands", "several": never a fact to compare


def _last_digit_unit(v: float) -> float:
    """The unit of the last significant digit: 140 → 10, 16 → 1, 2.5 → 0.1, 1000 → 1000."""
    if v == 0 or v != v or v in (INF, -INF):
        return 1.0
    v = abs(v)
    if v != int(v):
        d = len(f"{v:.6f}".rstrip("0").split(".")[1])
        return 10.0 ** -d
    unit = 1.0
    n = int(round(v))
    while n and n % 10 == 0:
        n //= 10
        unit *= 10
    return unit


def _bounded(v: float, bound: str) -> tuple[float, float]:
    b = " ".join(bound.lower().split())
    if b in ("more than", "over", "above"):
        return v, INF
    if b == "at least":
        return v, INF
    if b in ("fewer than", "less than", "under", "below"):
        return 0.0, v
    if b in ("up to", "no more than"):
        return 0.0, v
    if b in ("nearly", "almost"):
        return v * 0.9, v
    if b in ("about", "around", "approximately", "roughly", "some"):
        # "about 140" is 140 rounded at its last significant digit: 135-145; "some 16" is 15.5-16.5
        h = _last_digit_unit(v) / 2
        return v - h, v + h
    return v, v


def find_numbers(text: str, *, skip: list[tuple[int, int]] | None = None) -> list[Quantity]:
    """Counts and amounts in ``text`` as ranges; spans listed in ``skip`` (e.g. dates) are left out.

    Years (1900-2099 standing alone) and ordinals are not counted as quantities."""
    skip = skip or []
    out = []
    for m in _NUM_RX.finditer(text):
        s, e = m.start(), m.end()
        if not any(ch.isalnum() for ch in m.group(0)):
            continue
        g = m.groupdict()
        core_start = m.start("digits") if g["digits"] else (m.start("vague") if g["vague"] else m.start("word"))
        if any(core_start < b and a < e for a, b in skip):
            continue
        bound = g["bound"] or ""
        if g["digits"]:
            v = float(g["digits"].replace(",", ""))
            if g["scale"]:
                v *= _SCALES[g["scale"].lower()]
            elif re.fullmatch(r"(19|20)\d\d", g["digits"]) and not g["pct"]:
                continue  # a year
            elif re.match(r"(st|nd|rd|th)\b", text[m.end("digits"):m.end("digits") + 3]):
                continue  # an ordinal ("4th")
            low, high = _bounded(v, bound)
        elif g["vague"]:
            low, high = map(float, _VAGUE[" ".join(g["vague"].lower().split())])
            v = (low + high) / 2
            out.append(Quantity(m.group(0).strip(), s + (len(m.group(0)) - len(m.group(0).lstrip())), e, v, low, high,
                                bool(g["pct"]), vague=True))
            continue
        else:
            w = " ".join(g["word"].lower().split())
            v = float(_UNITS[w]) + (float(_UNITS[g["word2"].lower()]) if g["word2"] else 0)
            if g["wscale"]:
                v *= _SCALES[g["wscale"].lower()]
            low, high = _bounded(v, bound)
        out.append(Quantity(m.group(0).strip(), s + (len(m.group(0)) - len(m.group(0).lstrip())), e, v, low, high, bool(g["pct"])))
    return out


# ---------------------------------------------------------------- durations

_DUR_RX = re.compile(
    rf"(?<!\w){_BOUND}(?P<n>\d+(?:\.\d+)?|{_UNIT_WORDS}|a|an|half\s+a)\s+(?P<unit>years?|months?|weeks?|days?|decades?)\b(?![\s-]+(?:of\s+age|old))",
    re.I,
)
_SINCE_RX = re.compile(r"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?P<year>(?:19|20)\d\d)\b", re.I)
_UNIT_YEARS = {"year": 1.0, "month": 1 / 12, "week": 7 / 365.25, "day": 1 / 365.25, "decade": 10.0}


@dataclass(frozen=True)
class Duration:
    text: str
    start: int
    end: int
    low: float  # in years
    high: float


def find_durations(text: str, *, year: int | None = None) -> list[Duration]:
    """Spans of time ("over two years", "for 18 months", "since 2022" given the year of writing)."""
    out = []
    for m in _DUR_RX.finditer(text):
        g = m.groupdict()
        n = g["n"].lower()
        if n in ("a", "an"):
            v = 1.0
        elif n.startswith("half"):
            v = 0.5
        elif n[0].isdigit():
            v = float(n)
        else:
            v = float(_UNITS.get(" ".join(n.split()), 0))
        unit = _UNIT_YEARS[g["unit"].lower().rstrip("s")]
        b = " ".join((g["bound"] or "").lower().split())
        if b in ("more than", "over", "above"):
            low, high = v, v + 1  # "over two years": more than two, fewer than three
        elif b in ("nearly", "almost"):
            low, high = v * 0.9, v
        elif b == "at least":
            low, high = v, INF
        elif b in ("fewer than", "less than", "under", "below", "up to", "no more than"):
            low, high = 0.0, v
        elif b in ("about", "around", "approximately", "roughly", "some"):
            low, high = v * 0.75, v * 1.25
        else:
            low, high = v, v
        out.append(Duration(m.group(0).strip(), m.start(), m.end(), low * unit, high * unit if high != INF else INF))
    if year:
        for m in _SINCE_RX.finditer(text):
            y = int(m.group("year"))
            if y <= year:
                out.append(Duration(m.group(0), m.start(), m.end(), max(0.0, year - y - 1.0), year - y + 1.0))
    return sorted(out, key=lambda d: d.start)


# ---------------------------------------------------------------- coarse dates (weekday, month, year)

_WEEKDAY_RX = re.compile(r"\b(?:on|last|next|this|late|early)\s+(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_MONTH_RX = re.compile(rf"\b(?:in|since|during|until|by|last|early|late|mid-?|this|next)\s+{_MON}(?:\s+(?P<year>(?:19|20)\d\d))?\b(?!\s+\d)", re.I)
_YEAR_RX = re.compile(r"\b(?:in|during|by|until|of|from|for)\s+(?:early\s+|late\s+|mid-?)?(?P<year>(?:19|20)\d\d)\b(?![-–]\d)", re.I)


@dataclass(frozen=True)
class DateMentions:
    """The dates a sentence names, at every granularity: days (MM-DD), months (MM), years, and weekdays
    named without a calendar date."""

    days: frozenset
    months: frozenset
    years: frozenset
    weekdays: frozenset
    texts: tuple


def date_mentions(text: str, *, year: int | None = None) -> DateMentions:
    """All date mentions of a sentence, for comparing two reports of one event.

    >>> m = date_mentions("On Tuesday, in June 2023, officials met.")
    >>> sorted(m.weekdays), sorted(m.months), sorted(m.years)
    (['tuesday'], ['06'], ['2023'])
    """
    full = find_dates(text, year=year)
    taken = [(d.start, d.end) for d in full]
    days = {d.iso[-5:] for d in full}
    months = {d.iso[-5:-3] for d in full}
    years = {d.iso[:4] for d in full if not d.iso.startswith("--")}
    texts = [d.text for d in full]
    for m in _MONTH_RX.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        mo = MONTHS.get(m.group("mon").lower().rstrip("."))
        if mo and m.group("mon") != "may":  # lower-case "may" is the verb
            months.add(f"{mo:02d}")
            texts.append(m.group(0))
            if m.group("year"):
                years.add(m.group("year"))
            taken.append((m.start(), m.end()))
    for m in _YEAR_RX.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        years.add(m.group("year"))
        texts.append(m.group(0))
    weekdays = set()
    if not full:
        for m in _WEEKDAY_RX.finditer(text):
            weekdays.add(m.group("wd").lower())
            texts.append(m.group(0))
    return DateMentions(frozenset(days), frozenset(months), frozenset(years), frozenset(weekdays), tuple(texts))
