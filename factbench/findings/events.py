"""Events: which articles report one happening.

Articles are grouped by what they say (TF-IDF cosine of their words), by the date they give the
happening they report, and by publication date: two articles that date their main happening
differently ("the exchange … on July 4" vs "the exchange that took place on June 20"), or that were
published more than :data:`MAX_DAYS_APART` apart, are never one event, however alike their words.
Grouping is average-linkage: an article joins an event only when it is, on average, close enough to
all of its articles.

The same kind of fact with different values in two events is context ("another exchange"), not a
contradiction: :func:`factbench.discrepancies` compares statements of one event only.

>>> import pandas as pd
>>> arts = pd.DataFrame({"article_id": ["a", "b", "c"], "title": ["", "", ""], "published": ["", "", ""],
...     "text": ["Russia and Ukraine exchanged prisoners of war on July 4 after talks in Istanbul.",
...              "On July 4 Russia and Ukraine swapped prisoners of war, following the Istanbul talks.",
...              "Oil prices rose sharply on Monday as traders weighed new sanctions."]})
>>> ev = events(arts)
>>> ev.event_id.nunique(), ev.event_id[0] == ev.event_id[1]
(2, True)
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import numpy as np
import pandas as pd

from .. import schema
from ..claims.values import find_dates
from .facts import event_class, statement_facts

#: average cosine two groups of articles need to be one event. Chosen from the shape of the data:
#: three outlets' reports of one story (basil_dev) share far more words than two stories of one
#: beat do; see benchmarks/eval_findings.py for pairwise precision and recall on 60 articles.
SIMILARITY = 0.2
#: articles published further apart than this are not one happening
MAX_DAYS_APART = 10
_WORD = re.compile(r"[A-Za-z][a-z]+")


def _main_dates(title: str, text: str) -> tuple[str, set[str]]:
    """The article's main happening (the commonest event class in its words) and the days it gives it."""
    words = Counter(event_class(w) for w in _WORD.findall((title + " ") * 3 + text[:3000]))
    words.pop("", None)
    if not words:
        return "", set()
    key = words.most_common(1)[0][0]
    days = set()
    for sent in re.split(r"(?<=[.!?])\s+", text):
        if len(sent) > 600 or not find_dates(sent):
            continue
        if not any(event_class(w) == key for w in _WORD.findall(sent)):
            continue
        for v in statement_facts(sent).values:
            if v.kind == "date" and v.norm[0] == "day" and ("date", key) in v.slots:
                days.add(v.norm[3])
    return key, days


_REL_MONTH = re.compile(r"\b(?:earlier this month|this month|last month|the previous month|the month before)\b", re.I)
_PLACE = re.compile(r"\b(?:in|at)\s+(?P<place>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)")


def _relative_months(texts: list[str]) -> list[set[int]]:
    """The month each article is written in, read from "the agreement forged earlier this month in
    Istanbul" or "talks held in Istanbul the previous month" once another article of the corpus dates
    that happening ("the agreements reached in Istanbul on June 2"). Empty when nothing says."""
    anchors: dict[tuple[str, str], Counter] = {}
    for text in texts:
        for sent in re.split(r"(?<=[.!?])\s+", text):
            if len(sent) > 600 or not find_dates(sent):
                continue
            places = {m.group("place") for m in _PLACE.finditer(sent)}
            if not places:
                continue
            for v in statement_facts(sent).values:
                if v.kind == "date" and v.norm[0] == "day":
                    for slot in v.slots:
                        if slot[0] == "date":
                            for pl in places:
                                anchors.setdefault((slot[1], pl), Counter())[int(v.norm[2])] += 1
    out = []
    for text in texts:
        months = set()
        for sent in re.split(r"(?<=[.!?])\s+", text):
            for m in _REL_MONTH.finditer(sent):
                near = sent[max(0, m.start() - 50):m.end() + 30]
                classes = {event_class(w.lower()) or event_class(w.lower().rstrip("s")) for w in _WORD.findall(near)} - {""}
                for cls in classes:
                    for pm in _PLACE.finditer(sent):
                        got = anchors.get((cls, pm.group("place")))
                        if got:
                            month = got.most_common(1)[0][0]
                            months.add(month if "this month" in m.group(0).lower() else month % 12 + 1)
        out.append(months)
    return out


def events(corpus, *, similarity: float = SIMILARITY, max_days_apart: int | None = MAX_DAYS_APART) -> pd.DataFrame:
    """article_id, event_id, label, dates, actors: one row per article.

    ``corpus``: a Corpus or an articles DataFrame (article_id, title, published, text). When given a
    Corpus, its claims table gets each claim's ``event_id`` as well."""
    articles = getattr(corpus, "articles", corpus).reset_index(drop=True)
    for col in ("article_id", "text"):
        if col not in articles.columns:
            raise schema.SchemaError(f"articles table is missing column(s): {col}")
    articles = articles.assign(**{c: articles[c] if c in articles.columns else "" for c in ("title", "published")})
    n = len(articles)
    if n == 0:
        return schema.empty("events")
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [f"{t} {t} {x}" for t, x in zip(articles["title"].astype(str), articles["text"].astype(str))]
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")
    try:
        m = vec.fit_transform(docs)
        sim = (m @ m.T).toarray()
    except ValueError:  # no words at all
        sim = np.eye(n)
    keys, days = zip(*(_main_dates(t, x) for t, x in zip(articles["title"].astype(str), articles["text"].astype(str))))
    pub = pd.to_datetime(articles["published"].astype(str).replace("", None), errors="coerce")
    months = _relative_months(articles["text"].astype(str).tolist())
    for k in range(n):  # the month of the main happening, or of publication
        months[k] |= {int(d[-5:-3]) for d in days[k]}
        if pd.notna(pub[k]):
            months[k].add(int(pub[k].month))
    apart = np.zeros((n, n), dtype=bool)
    for i in range(n):
        for j in range(i + 1, n):
            if days[i] and days[j] and keys[i] == keys[j] and not days[i] & days[j]:
                apart[i, j] = apart[j, i] = True  # they date their happening differently
            elif months[i] and months[j] and not months[i] & months[j]:
                apart[i, j] = apart[j, i] = True  # written in different months
            elif max_days_apart is not None and pd.notna(pub[i]) and pd.notna(pub[j]) \
                    and abs((pub[i] - pub[j]).days) > max_days_apart:
                apart[i, j] = apart[j, i] = True
    clusters = _average_linkage(sim, apart, similarity)
    return _table(corpus, articles, clusters, keys, days)


def _average_linkage(sim: np.ndarray, apart: np.ndarray, threshold: float) -> list[list[int]]:
    clusters = [[i] for i in range(len(sim))]
    while True:
        best, pair = threshold, None
        for a in range(len(clusters)):
            for b in range(a + 1, len(clusters)):
                ca, cb = clusters[a], clusters[b]
                if apart[np.ix_(ca, cb)].any():
                    continue
                s = sim[np.ix_(ca, cb)].mean()
                if s >= best:
                    best, pair = s, (a, b)
        if pair is None:
            return clusters
        a, b = pair
        clusters[a] = sorted(clusters[a] + clusters[b])
        del clusters[b]


def _table(corpus, articles, clusters, keys, days) -> pd.DataFrame:
    claims = getattr(corpus, "claims", None)
    ents_of: dict[str, Counter] = {}
    if claims is not None and "entities" in claims.columns:
        for aid, ents in zip(claims["article_id"].astype(str), claims["entities"]):
            c = ents_of.setdefault(aid, Counter())
            for e in ents if isinstance(ents, (list, tuple, np.ndarray)) else []:
                if isinstance(e, dict) and e.get("label") in ("PERSON", "ORG", "GPE"):
                    c[e["text"]] += 1
    ids = articles["article_id"].astype(str).tolist()
    rows = []
    for members in sorted(clusters, key=lambda c: c[0]):
        member_ids = sorted(ids[k] for k in members)
        eid = "e" + hashlib.sha1("\x1f".join(member_ids).encode()).hexdigest()[:10]
        key = Counter(keys[k] for k in members if keys[k]).most_common(1)
        key = key[0][0] if key else ""
        dd = sorted(set().union(*(days[k] for k in members)))
        actors = Counter()
        for k in members:
            actors.update(ents_of.get(ids[k], Counter()))
        top = [a for a, _ in actors.most_common(3)]
        label = " ".join(x for x in (key, ", ".join(_fmt_day(d) for d in dd)) if x) or "event"
        if top:
            label += f" ({', '.join(top)})"
        for k in members:
            rows.append({"article_id": ids[k], "event_id": eid, "label": label, "dates": dd, "actors": top})
    out = schema.conform(pd.DataFrame(rows), "events")
    order = {a: i for i, a in enumerate(ids)}
    out = out.sort_values("article_id", key=lambda s: s.map(order), ignore_index=True)
    if claims is not None:
        claims["event_id"] = claims["article_id"].astype(str).map(dict(zip(out.article_id, out.event_id))).fillna("") \
            .astype("string")
    return out


def with_events(pairs: pd.DataFrame, events_table: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with ``event_id`` filled: the event both claims' articles belong to, or "" when the
    two are in different events (or unknown).

    >>> ev = pd.DataFrame({"article_id": ["1", "2", "3"], "event_id": ["e1", "e1", "e2"]})
    >>> p = pd.DataFrame({"claim_id_l": ["a", "a"], "claim_id_r": ["b", "c"], "article_id_l": ["1", "1"],
    ...                   "article_id_r": ["2", "3"]})
    >>> with_events(p, ev)["event_id"].tolist()
    ['e1', '']
    """
    of = dict(zip(events_table["article_id"].astype(str), events_table["event_id"].astype(str)))
    left = pairs["article_id_l"].astype(str).map(of).fillna("")
    right = pairs["article_id_r"].astype(str).map(of).fillna("")
    return pairs.assign(event_id=left.where(left == right, "").astype("string"))


def _fmt_day(iso: str) -> str:
    from calendar import month_name

    mm, dd = iso[-5:].split("-")
    return f"{month_name[int(mm)]} {int(dd)}"
