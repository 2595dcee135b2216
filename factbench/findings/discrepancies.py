"""Discrepancies: two statements of one fact, about one event, whose values cannot both hold.

A flag needs all of:

* **one event**: both statements come from articles :func:`factbench.events` puts together (or,
  across events, both name the same dated happening: "the talks on June 2");
* **one fact**: the two values fill the same slot, read from the dependency parse (the noun a number
  counts, the happening a date dates, the person whose years a range gives, the verb a negation
  negates); statements are compared when they were matched (:func:`factbench.match`) or share such
  a slot;
* **values that cannot both hold** after normalisation: dates at the finest level both give (a
  weekday is checked only against a year the text states), counts with their bounds and rounding
  ("about 140" is 135–145, "some 16" is 15.5–16.5, "over 1,000" is at least 1,000), durations in days
  ("three weeks" = "21 days"; "two years" means two to three), shares ("two-in-three" = "2 in 3"),
  one person's name variants and titles ("Michael T. Flynn" = "Mr. Flynn"); vague quantities
  ("dozens", "thousands") are never facts.

Each flag explains itself (both values as written and normalised, both sentences, the slot, why they
cannot both hold) and carries a confidence; flags come sorted by it, and those under
``min_confidence`` are left out.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"],
...     "text": ["The House voted on Tuesday to pass 15 bills.", "The House voted Wednesday to pass 15 bills."]})
>>> pairs = pd.DataFrame({"claim_id_l": ["a"], "claim_id_r": ["b"], "score": [90.0]})
>>> f = discrepancies(claims, pairs)
>>> f[["kind", "value_l", "value_r"]].values.tolist()
[['date', 'Tuesday', 'Wednesday']]
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pandas as pd

from .. import schema
from ..claims.values import find_dates, find_durations, find_numbers
from .facts import StatementFacts, Value, statement_facts
from .lexicon import ORDINALS
from .syntax import parse

#: flags below this confidence are not shown (benchmarks/eval_findings.py)
MIN_CONFIDENCE = 0.5
_BASE = {"title": 0.6, "date": 0.8, "number": 0.8, "duration": 0.7, "ordinal": 0.7, "negation": 0.65, "person": 0.6, "place": 0.55}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


# ------------------------------------------------------------------ comparing two values

def _date_conflict(a: tuple, b: tuple) -> str:
    """Why two normalised dates cannot both hold, or "" when they can."""
    ka, kb = a[0], b[0]
    if ka == "range" or kb == "range":
        if ka == kb == "range" and (a[1], a[2]) != (b[1], b[2]):
            return "the periods differ"
        return ""
    if a[1] and b[1] and a[1] != b[1]:
        return "the years differ"
    if ka == kb == "day":
        return "the days differ" if a[3] != b[3] else ""
    if {ka, kb} <= {"day", "month"}:
        return "the months differ" if a[2] != b[2] else ""
    if ka == kb == "weekday":
        return "the weekdays differ" if a[4] != b[4] else ""
    if {ka, kb} == {"day", "weekday"}:
        day, wd = (a, b) if ka == "day" else (b, a)
        if day[4]:  # the day has its own weekday as written
            return "the weekdays differ" if day[4] != wd[4] else ""
        if day[1]:  # a year the text states, never an assumed one
            real = _WEEKDAYS[date.fromisoformat(f"{day[1]}-{day[3]}").weekday()]
            return f"{day[3][-5:]} of {day[1]} is a {real}" if real != wd[4] else ""
    return ""


def _tolerance(lo: float, hi: float) -> tuple[float, float]:
    """A bare number of 1,000 or more with two significant digits or more ("1.2 million", "52,000")
    stands for itself rounded at its last significant digit; "1,000" stands for 1,000."""
    from ..claims.values import _last_digit_unit

    if lo == hi and lo >= 1000:
        unit = _last_digit_unit(lo)
        if lo / unit >= 10:
            return lo - unit / 2, hi + unit / 2
    return lo, hi


def _number_conflict(a: tuple, b: tuple) -> str:
    if a[3] != b[3]:
        return ""  # a share and a count
    (alo, ahi), (blo, bhi) = _tolerance(a[1], a[2]), _tolerance(b[1], b[2])
    if alo <= bhi + 1e-9 and blo <= ahi + 1e-9:
        return ""
    return "the numbers do not overlap, even with their bounds and rounding"


def _duration_conflict(a: tuple, b: tuple) -> str:
    def widen(lo, hi):
        if lo == hi:  # "two years" is said until it is three: widen a bare duration by one of its units
            unit = 365.25 if lo >= 365 else (30.44 if lo >= 60 else (7 if lo >= 14 else 1))
            return lo, hi + unit - 1e-6
        return lo, hi
    (alo, ahi), (blo, bhi) = widen(a[1], a[2]), widen(b[1], b[2])
    if alo <= bhi + 1e-6 and blo <= ahi + 1e-6:
        return ""
    return "the durations do not overlap, even with their bounds"


def _conflict(kind: str, a: Value, b: Value) -> str:
    if kind == "date":
        return _date_conflict(a.norm, b.norm)
    if kind == "number":
        return _number_conflict(a.norm, b.norm)
    if kind == "duration":
        return _duration_conflict(a.norm, b.norm)
    if kind == "ordinal":
        return "one says it is the " + _ordinal_word(a.norm[1]) + ", the other the " + _ordinal_word(b.norm[1]) \
            if a.norm[1] != b.norm[1] else ""
    if kind == "person":
        return "different people fill the same role" if a.norm[1] != b.norm[1] else ""
    if kind == "place":
        return "different places fill the same role" if a.norm[1] != b.norm[1] else ""
    if kind == "title":
        return _title_conflict(a.norm[1], b.norm[1])
    return ""


#: words that make a title a different rank of the same office
_RANKS = frozenset({"assistant", "deputy", "acting", "vice", "associate", "interim", "senior", "junior", "chief",
                    "principal", "under"})


def _title_conflict(a: tuple, b: tuple) -> str:
    """Two titles of one person at one time cannot both hold when they name one office at two ranks
    ("assistant district attorney" vs "district attorney"); other titles may both be true.

    >>> _title_conflict(("assistant", "district", "attorney"), ("district", "attorney"))
    "one gives the rank 'assistant district attorney', the other 'district attorney'"
    >>> _title_conflict(("district", "attorney"), ("prosecutor",))
    ''
    """
    if a == b or not a or not b or a[-1] != b[-1]:
        return ""
    diff = set(a) ^ set(b)
    if diff and diff <= _RANKS:
        return f"one gives the rank '{' '.join(a)}', the other '{' '.join(b)}'"
    return ""


def _ordinal_word(n: int) -> str:
    return next((w for w, k in ORDINALS.items() if k == n), str(n))


def _role(slot: tuple) -> str:
    kind, key = slot[0], slot[1]
    if kind == "date":
        if key.startswith("@"):
            return f"date of '{key[1:]}'"
        return f"date of the {key}" if ":" not in key else f"date when {key.split(':')[1]} did '{key.split(':')[0]}'"
    if kind == "period":
        return f"years of {key}"
    if kind == "number":
        if key.startswith("@"):
            return f"number of what was '{key[1:]}'"
        return f"number of {key}" if ":" not in key else f"{key.split(':')[0]} ({key.split(':')[1]})"
    if kind == "share":
        return f"share of {key}" if key else "share"
    if kind == "duration":
        return f"duration of '{key}'"
    if kind == "ordinal":
        return f"which {key} it was"
    if kind == "person":
        return f"who did '{slot[1]}' ({slot[2]})"
    if kind == "place":
        return f"where: '{slot[1]} {slot[2]}'"
    if kind == "title":
        return f"what {key} was then"
    return kind


# ------------------------------------------------------------------ comparing two statements

def compare(fl: StatementFacts, fr: StatementFacts, *, matched: bool = False, kinds=None,
            same_article: bool = False) -> list[dict]:
    """The disagreements between two statements of one event, best first (dicts with kind, values,
    normalised values, role, explanation and confidence)."""
    out = []
    for a in fl.values:
        for b in fr.values:
            if a.kind != b.kind or (kinds and a.kind not in kinds):
                continue
            shared = a.slots & b.slots
            if not matched:  # statements not matched as one: only a role read in full (see facts.py)
                strong = {x for x in shared if len(x) == 3}
                if not strong and a.kind == "date":  # "a primary in April" vs "the primary would be held on April 30"
                    named = {x for x in shared if len(x) == 2 and x[0] == "date"}
                    if any(len(y) == 3 and y[0] == "date" and ("date", y[1]) in named for y in a.slots | b.slots):
                        strong = named
                shared = strong
            if not shared or (a.kind in ("person", "place") and not matched):
                continue
            if any(_conflict(a.kind, a, c) == "" for c in fr.values if c.kind == a.kind and c is not b) or \
                    any(_conflict(b.kind, c, b) == "" for c in fl.values if c.kind == b.kind and c is not a):
                continue  # each statement also gives the other's value: two facts, not one
            if a.kind == "number" and a.norm[3] and b.norm[3] and abs(a.norm[1] + b.norm[1] - 100) < 1e-6:
                continue  # "two-in-three" and "one-in-three": the two sides of one chance
            why = _conflict(a.kind, a, b)
            if not why:
                continue
            slot = sorted(shared, key=lambda x: (len(x) < 3, str(x[1]).startswith("@"), x))[0]
            conf = _BASE[a.kind] + (0.1 if matched else 0.0) - (0.15 if same_article else 0.0) \
                - (0.05 if a.approximate or b.approximate else 0.0) - (0.05 if ":" in str(slot[1]) else 0.0)
            if a.kind in ("person", "place"):
                if a.norm[1] in fr.text.lower() or b.norm[1] in fl.text.lower():
                    continue  # both names are in both statements: not a swap of one for the other
            out.append({"kind": a.kind, "value_l": a.shown, "value_r": b.shown, "norm_l": a.label, "norm_r": b.label,
                        "role": _role(slot), "why": why, "confidence": conf})
    # an announcement dated before the happening it announces
    for x, y, flip in ((fl, fr, False), (fr, fl, True)):
        for a in x.values:
            for b in y.values:
                if a.kind == b.kind == "date" and a.norm[0] == b.norm[0] == "day":
                    occ = {s[1] for s in a.slots if s[0] == "date"}
                    rep = {s[1] for s in b.slots if s[0] == "date-reported"}
                    common = occ & rep
                    if common and b.norm[3] < a.norm[3] and (not a.norm[1] or not b.norm[1] or a.norm[1] == b.norm[1]):
                        ev = sorted(common)[0]
                        row = {"kind": "date", "value_l": a.shown, "value_r": b.shown, "norm_l": a.label,
                               "norm_r": b.label, "role": f"date of the {ev}",
                               "why": f"the {ev} is dated {a.shown}, yet its announcement is dated {b.shown}: "
                                      f"announced before it took place",
                               "confidence": 0.6 - (0.05 if same_article else 0)
                               + (0.02 if any(len(x) == 3 for x in a.slots) else 0)}
                        if flip:
                            row.update(value_l=b.shown, value_r=a.shown, norm_l=b.label, norm_r=a.label)
                        out.append(row)
    if matched and (not kinds or "negation" in kinds):
        inter = len(fl.content & fr.content) / max(1, len(fl.content | fr.content))
        if inter >= 0.5:
            for key, neg in fl.negated_verbs.items():
                if key in fr.negated_verbs and bool(neg) != bool(fr.negated_verbs[key]):
                    word = neg or fr.negated_verbs[key]
                    verb = key[0] + (f" {key[1]}" if key[1] else "")
                    out.append({"kind": "negation", "value_l": "not " + key[0] if neg else key[0],
                                "value_r": "not " + key[0] if fr.negated_verbs[key] else key[0],
                                "norm_l": "negated" if neg else "affirmed",
                                "norm_r": "negated" if fr.negated_verbs[key] else "affirmed",
                                "role": f"whether '{verb}'", "why": f"one statement negates '{verb}' ({word!r}), "
                                                                  "the other affirms it",
                                "confidence": _BASE["negation"] + 0.1 * (inter >= 0.7)})
                    break
    out.sort(key=lambda r: -r["confidence"])
    return out


# ------------------------------------------------------------------ the table

_VALUE_WORDS = re.compile(r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|"
                          r"may|june|july|august|september|october|november|december|(?:19|20)\d\d|first|second|third|"
                          r"not|never)\b|n['’]t\b", re.I)
_NEG_WORDS = re.compile(r"\b(?:not|never|no longer)\b|n['’]t\b", re.I)
_WORDS = re.compile(r"[a-z]{3,}")


def _has_values(text: str) -> bool:
    return bool(_VALUE_WORDS.search(text) or find_dates(text) or find_numbers(text) or find_durations(text))


def flag_id(claim_l: str, claim_r: str, kind: str, norm_l: str, norm_r: str) -> str:
    """A flag's stable id: the same two claims and values give the same id on any machine."""
    return "f" + hashlib.sha1("\x1f".join((claim_l, claim_r, kind, norm_l, norm_r)).encode()).hexdigest()[:16]


def discrepancies(corpus, pairs: pd.DataFrame | None = None, *, events: pd.DataFrame | None = None,
                  slots: bool = True, min_confidence: float = MIN_CONFIDENCE, against_source=None) -> pd.DataFrame:
    """One row per disagreement (see ``schema.TABLES["flags"]``), sorted by confidence.

    ``corpus``: a Corpus, or a claims DataFrame (claim_id, article_id, outlet, text; ``event_id``
    used when present, else all claims are taken as one event). ``pairs``: matched statements
    (:func:`factbench.match`). ``events``: from :func:`factbench.events`, found here when not given.
    ``slots``: also compare statements of one event that share a slot without being matched.
    ``against_source``: an article id or outlet of ``corpus``; every other article is then read
    against it, sentence by sentence (a summary against its article: values it lacks or contradicts,
    and sentences worded from nowhere in it, kind "wording"; see :mod:`factbench.findings.source`);
    ``pairs``, ``events`` and ``slots`` are not used."""
    if against_source is not None:
        from .source import source_discrepancies

        if not hasattr(corpus, "articles"):
            raise TypeError("against_source needs a Corpus (fb.load), not a claims table")
        return source_discrepancies(corpus, against_source, min_confidence=min_confidence)
    claims = getattr(corpus, "claims", corpus)
    for col in ("claim_id", "article_id", "outlet", "text"):
        if col not in claims.columns:
            raise schema.SchemaError(f"claims table is missing column(s): {col}")
    if hasattr(corpus, "articles"):
        if events is None:
            from .events import events as find_events

            events = find_events(corpus)
    claims = claims.reset_index(drop=True)
    if events is not None:
        claims = claims.assign(event_id=claims["article_id"].astype(str).map(
            dict(zip(events["article_id"].astype(str), events["event_id"].astype(str)))).fillna(""))
    claims = _statements(corpus, claims)
    if events is not None:
        ev_of = dict(zip(events["article_id"].astype(str), events["event_id"].astype(str)))
        ev = claims["article_id"].astype(str).map(ev_of).fillna("").tolist()
    elif "event_id" in claims.columns:
        ev = claims["event_id"].astype(str).fillna("").tolist()
    else:
        ev = [""] * len(claims)
    ids = claims["claim_id"].astype(str).tolist()
    texts = claims["text"].astype(str).tolist()
    arts = claims["article_id"].astype(str).tolist()
    outlets = claims["outlet"].astype(str).tolist()
    hedged = claims["hedged"].astype(bool).tolist() if "hedged" in claims.columns else [False] * len(claims)
    is_claim = claims["_is_claim"].tolist() if "_is_claim" in claims.columns else [True] * len(claims)
    index = {c: k for k, c in enumerate(ids)}

    todo: dict[tuple[int, int], bool] = {}  # (i, j) -> matched
    if pairs is not None and len(pairs):
        for a, b in zip(pairs["claim_id_l"].astype(str), pairs["claim_id_r"].astype(str)):
            i, j = index.get(a), index.get(b)
            if i is not None and j is not None and i != j and ev[i] == ev[j]:
                todo[(min(i, j), max(i, j))] = True
    need = sorted({k for p in todo for k in p} | ({k for k in range(len(ids)) if not is_claim[k] or _has_values(texts[k])}
                                                   if slots else set()))
    docs = dict(zip(need, parse([texts[k] for k in need])))
    facts = {k: statement_facts(texts[k], docs[k]) for k in need}
    cross: set[tuple[int, int]] = set()
    if slots:
        buckets: dict[tuple, list[int]] = {}
        for k in need:
            for v in facts[k].values:
                for s in v.slots:
                    if s[0] in ("date-reported", "date") and len(s) == 2:
                        # an announcement and the happening it announces meet here (also within one article)
                        buckets.setdefault((ev[k], "date-rep", s[1]), []).append(k)
                    elif len(s) == 3 and s[0] != "ordinal":
                        # unmatched statements meet on a full role only (ordinals: on a dated happening)
                        buckets.setdefault((ev[k],) + s, []).append(k)
        _inherit_happenings(claims, corpus, facts)
        happen: dict[tuple, list[int]] = {}
        for k in need:
            for h in facts[k].happenings:
                happen.setdefault(h, []).append(k)
        for key, ks in list(buckets.items()) + [(("*",) + h, ks) for h, ks in happen.items()]:
            ks = sorted(set(ks))
            if len(ks) < 2 or len(ks) > 60:
                continue
            for p, i in enumerate(ks):
                for j in ks[p + 1:]:
                    if arts[i] != arts[j] and outlets[i] == outlets[j]:
                        continue
                    if arts[i] == arts[j] and key[1] != "date-rep":
                        continue  # within one article: only an announcement dated before its happening
                    if key[0] == "*":
                        if ev[i] != ev[j]:
                            cross.add((i, j))
                    todo.setdefault((i, j), False)
    rows = []
    if slots:  # near-identical statements of one event: one statement retold, compared as if matched
        for i, j in _near_identical(need, facts, ev, arts):
            todo.setdefault((i, j), "near")
    for (i, j), matched in sorted(todo.items()):
        if i not in facts or j not in facts or not (is_claim[i] or is_claim[j]):
            continue
        if matched == "near":
            found = compare(facts[i], facts[j], matched=True)
            matched = False
        else:
            found = None
        kinds = {"ordinal"} if (i, j) in cross else ({"date", "number", "duration", "person", "place", "negation", "title"}
                                                     if not (facts[i].happenings & facts[j].happenings) else None)
        if found is None:
            found = compare(facts[i], facts[j], matched=matched, kinds=kinds, same_article=arts[i] == arts[j])
        if not found:
            continue
        best = found[0]
        conf = best["confidence"] - (0.1 if hedged[i] or hedged[j] else 0.0)
        if conf < min_confidence:
            continue
        where = "matched statements" if matched else "near-identical statements" if todo[(i, j)] == "near" else ("within one article" if arts[i] == arts[j] else
                                                      "statements of one event sharing the slot")
        if (i, j) in cross:
            where = "statements naming the same dated happening"
        rows.append({"flag_id": flag_id(ids[i], ids[j], best["kind"], best["norm_l"], best["norm_r"]),
                     "claim_id_l": ids[i], "claim_id_r": ids[j], "event_id": ev[i] if ev[i] == ev[j] else "",
                     "kind": best["kind"], "value_l": best["value_l"], "value_r": best["value_r"],
                     "norm_l": best["norm_l"], "norm_r": best["norm_r"], "text_l": texts[i], "text_r": texts[j],
                     "role": best["role"],
                     "explanation": f"{best['role']}: {best['value_l']!r} vs {best['value_r']!r}; {best['why']} ({where})",
                     "confidence": round(min(conf, 0.99), 3)})
    # one disagreement said several times (the same two values, the same two articles) is one flag
    rows.sort(key=lambda r: (-r["confidence"], r["flag_id"]))
    seen, kept = set(), []
    for r in rows:
        key = (frozenset((arts[index[r["claim_id_l"]]], arts[index[r["claim_id_r"]]])), r["kind"],
               frozenset((r["norm_l"], r["norm_r"])))
        if key not in seen:
            seen.add(key)
            kept.append(r)
    out = pd.DataFrame(kept, columns=list(schema.TABLES["flags"]))
    out = schema.conform(out, "flags")
    return out.sort_values(["confidence", "flag_id"], ascending=[False, True], ignore_index=True)


def _statements(corpus, claims: pd.DataFrame) -> pd.DataFrame:
    """The claims, and (given a Corpus) the other sentences that state a date, a count or a negation:
    a sentence under the check-worthiness threshold can still be the other side of a disagreement.
    Such a sentence gets the id it would have as a claim; a flag always has a claim on one side."""
    sentences = getattr(corpus, "sentences", None)
    articles = getattr(corpus, "articles", None)
    out = claims.assign(_is_claim=True)
    if sentences is None or articles is None or "sentence_id" not in claims.columns or not len(sentences):
        return out
    from ..claims.load import claim_id_for

    have = set(claims["sentence_id"].astype(str))
    outlet = dict(zip(articles["article_id"].astype(str), articles["outlet"].astype(str)))
    extra = sentences[~sentences["sentence_id"].astype(str).isin(have)]
    keep = [_has_values(t) for t in extra["text"].astype(str)]
    # the other side of a near-identical, negated statement: found by its words, before any parse
    ev = dict(zip(claims["article_id"].astype(str), claims["event_id"].astype(str))) if "event_id" in claims.columns else {}
    negated = [(str(a), set(_WORDS.findall(t.lower()))) for a, t in zip(claims["article_id"], claims["text"].astype(str))
               if _NEG_WORDS.search(t)]
    if negated:
        for k, (a, t) in enumerate(zip(extra["article_id"].astype(str), extra["text"].astype(str))):
            if keep[k]:
                continue
            w = set(_WORDS.findall(t.lower()))
            keep[k] = any(a2 != a and ev.get(a2, "") == ev.get(a, "") and w and len(w & w2) / len(w | w2) >= 0.5
                          for a2, w2 in negated)
    extra = extra[keep]
    if not len(extra):
        return out
    rows = pd.DataFrame({"claim_id": [claim_id_for(a, t) for a, t in zip(extra["article_id"], extra["text"])],
                         "sentence_id": extra["sentence_id"].astype(str), "article_id": extra["article_id"].astype(str),
                         "outlet": extra["article_id"].astype(str).map(outlet), "text": extra["text"].astype(str),
                         "hedged": False, "_is_claim": False})
    if "event_id" in claims.columns:
        ev = dict(zip(claims["article_id"].astype(str), claims["event_id"].astype(str)))
        rows["event_id"] = rows["article_id"].map(ev).fillna("")
    return pd.concat([out, rows[[c for c in rows.columns if c in out.columns]]], ignore_index=True)


def _near_identical(need, facts, ev, arts, threshold: float = 0.5):
    """Pairs of statements of one event, from two articles, that share at least half of their content
    words: one statement retold (a summary's sentence and its source, one quote in two outlets)."""
    by_event: dict[str, list[int]] = {}
    for k in need:
        if facts[k].content:
            by_event.setdefault(ev[k], []).append(k)
    for ks in by_event.values():
        for p, i in enumerate(ks):
            a = facts[i].content
            for j in ks[p + 1:]:
                if arts[i] == arts[j]:
                    continue
                b = facts[j].content
                if len(a & b) / len(a | b) >= threshold:
                    yield (i, j)


def _inherit_happenings(claims: pd.DataFrame, corpus, facts: dict[int, StatementFacts]) -> None:
    """A statement that names a happening with "the" and no date of its own ("During the talks, …")
    takes the dated happening of that class from the sentence before it."""
    sentences = getattr(corpus, "sentences", None)
    if sentences is None or "sentence_id" not in claims.columns:
        return
    by_id = dict(zip(sentences["sentence_id"].astype(str), sentences["text"].astype(str)))
    for k, f in facts.items():
        if not f.definite_events or f.happenings:
            continue
        sid = str(claims.at[k, "sentence_id"])
        art, _, pos = sid.rpartition(":")
        if not pos.isdigit() or int(pos) == 0:
            continue
        prev = by_id.get(f"{art}:{int(pos) - 1}")
        if not prev:
            continue
        pf = statement_facts(prev)
        f.happenings |= {h for h in pf.happenings if h[0] in f.definite_events}
