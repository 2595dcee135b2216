"""``fb.load``: articles → sentences (with exact offsets) → check-worthy claims."""

from __future__ import annotations

import hashlib
import re
import warnings
from bisect import bisect_left
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from .. import schema
from ..corpus import Corpus
from ..ingest.nlp import default_pipeline_id, pipeline_version
from ..ingest.parse import ParseCache, Parsed, parse_texts
from ..ingest.sources import InputError, article_id_for, read_source
from ..ingest.text import clean_article, text_key
from .facts import ANALYSIS_VERSION, analyse

#: Sentences scoring at least this are claims. On the CLEF 2019 training debates this keeps about
#: the top fifth of sentences; in news reporting, where most sentences report something, about half.
DEFAULT_THRESHOLD = 0.5


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.,]+(?:Z|[+-]\d{2}:?\d{2})?)?")
_NUMERIC = re.compile(r"(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})")
_TWO_DEFAULTS = (datetime(1904, 2, 29), datetime(1911, 11, 11))


def parse_date(value) -> tuple[str, str | None]:
    """(ISO date, problem): a published date only when the text states it without doubt.

    A day, a month and a four-digit year must all be there; nothing is invented from today's date,
    and a numeric date that reads two ways (12/11/10, 03/04/2024) is refused.

    >>> [parse_date(v)[0] for v in ("2024-06-19", "2024-06-19T08:30:00Z", "June 19, 2024", "19 June 2024",
    ...                             "Wed, 19 Jun 2024 10:00:00 GMT", "19/06/2024", "2024/06/19")]
    ['2024-06-19', '2024-06-19', '2024-06-19', '2024-06-19', '2024-06-19', '2024-06-19', '2024-06-19']
    >>> [parse_date(v)[0] for v in ("March", "TBD 12", "Q3 2024", "12/11/10", "03/04/2024", "June 2024", "")]
    ['', '', '', '', '', '', '']
    >>> parse_date("12/11/10")[1]
    "'12/11/10' reads as more than one date; write it as YYYY-MM-DD"
    """
    text = "" if value is None else str(value).strip()
    if not text:
        return "", None
    m = _ISO.fullmatch(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat(), None
        except ValueError:
            return "", f"{text!r} is not a date"
    unclear = f"{text!r} is not a full date (day, month and four-digit year); write it as YYYY-MM-DD"
    if not re.search(r"(?<!\d)\d{4}(?!\d)", text):
        n = _NUMERIC.fullmatch(text)
        return "", (f"{text!r} reads as more than one date; write it as YYYY-MM-DD" if n else unclear)
    from dateutil import parser

    readings = set()
    try:
        for default in _TWO_DEFAULTS:
            for dayfirst in (False, True):
                readings.add(parser.parse(text, default=default, dayfirst=dayfirst, fuzzy=False).date())
    except (ValueError, OverflowError, TypeError):
        return "", unclear
    if len(readings) == 1:
        return readings.pop().isoformat(), None
    n = _NUMERIC.fullmatch(text)
    if n and len({d.year for d in readings}) == 1:
        return "", f"{text!r} reads as more than one date; write it as YYYY-MM-DD"
    return "", unclear


def _iso_date(value: str) -> str:
    return parse_date(value)[0]


def claim_id_for(article_id: str, text: str) -> str:
    """A claim's stable id: the same article and the same words give the same id on any machine.

    >>> claim_id_for("a1", "The  swap was “equal”.") == claim_id_for("a1", "the swap was \\"equal\\"")
    True
    """
    return _claim_id(article_id, text_key(text))


def _claim_id(article_id: str, key: str) -> str:
    return "c" + hashlib.sha1(f"{article_id}\x1f{key}".encode()).hexdigest()[:16]


def _articles_table(records: list[dict], skipped: list[dict]) -> pd.DataFrame:
    rows, seen = [], set()
    unknown = 0
    for r in records:
        c = clean_article(r["text"], title=r.get("title", ""))
        where = r.get("source_path", "")
        if not c.text.strip():
            skipped.append({"source": where, "problem": "no article text left after removing boilerplate"})
            continue
        aid = article_id_for(r)
        if aid in seen:
            skipped.append({"source": where, "problem": f"duplicate article id {aid!r}"})
            continue
        seen.add(aid)
        outlet = r.get("outlet") or c.site
        if not outlet:
            unknown += 1
            outlet = f"unknown outlet {unknown}"
        published, problem = parse_date(r.get("published", ""))
        if problem:
            skipped.append({"source": where, "problem": f"published date {problem}; left empty (article kept)"})
        rows.append({"article_id": aid, "outlet": outlet, "title": c.title or r.get("title", ""),
                     "published": published, "url": r.get("url", ""),
                     "source_path": where, "text": c.text})
    return schema.conform(pd.DataFrame(rows), "articles") if rows else schema.empty("articles")


def _sentences_table(articles: pd.DataFrame, parsed: list[Parsed]) -> pd.DataFrame:
    cols: dict[str, list] = {c: [] for c in schema.TABLES["sentences"]}
    for aid, text, p in zip(articles["article_id"], articles["text"], parsed):
        for pos, ((s, e), score) in enumerate(zip(p.sents, p.scores)):
            cols["sentence_id"].append(f"{aid}:{pos}")
            cols["article_id"].append(aid)
            cols["position"].append(pos)
            cols["start"].append(s)
            cols["end"].append(e)
            cols["text"].append(text[s:e])
            cols["checkworthiness"].append(score)
    return schema.conform(pd.DataFrame(cols), "sentences")


def extract_claims(articles: pd.DataFrame, sentences: pd.DataFrame, parsed: list[Parsed],
                   threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The claims table: sentences at or above ``threshold``, with their facts and sourcing."""
    schema.check(articles, "articles")
    schema.check(sentences, "sentences")
    rows = []
    for aid, text, outlet, p in zip(articles["article_id"], articles["text"], articles["outlet"], parsed):
        ents = sorted(p.ents)
        ent_starts = [x[0] for x in ents]
        ids_seen: dict[str, int] = {}
        for pos, ((s, e), score, facts) in enumerate(zip(p.sents, p.scores, p.facts)):
            if score < threshold:
                continue
            numbers, dates, speaker, sourcing, quote, hedged, key = facts
            stext = text[s:e]
            cid = _claim_id(aid, key)
            n = ids_seen.get(cid, 0)
            ids_seen[cid] = n + 1
            if n:
                cid = f"{cid}-{n}"
            rows.append({
                "claim_id": cid, "sentence_id": f"{aid}:{pos}", "article_id": aid, "outlet": outlet, "text": stext,
                "start": s, "end": e, "checkworthiness": score, "numbers": numbers, "dates": dates,
                "entities": [{"text": text[a:b], "label": lab, "start": a, "end": b}
                             for a, b, lab in ents[bisect_left(ent_starts, s):bisect_left(ent_starts, e)] if b <= e],
                "quote": quote, "speaker": speaker, "sourcing": sourcing, "hedged": hedged,
            })
    return schema.conform(pd.DataFrame(rows), "claims") if rows else schema.empty("claims")


def load(source, manifest=None, nlp=None, *, threshold: float = DEFAULT_THRESHOLD, text_column: str | None = None,
         cache: bool | str | Path = True, progress: bool = True, engine=None) -> Corpus:
    """Load articles into a :class:`~factbench.Corpus` of articles, sentences and claims.

    ``source``: a folder of .txt/.md/.html files (with an ``articles.csv`` manifest if present), one
    such file, a CSV/TSV/JSONL/Parquet table with a text column, or a pandas DataFrame.
    ``manifest``: a CSV or DataFrame with a ``file`` column and outlet/title/published/url.
    ``threshold``: check-worthiness (0..1) a sentence needs to be a claim (default
    :data:`DEFAULT_THRESHOLD`). ``cache``: True (the user cache folder), a file path, or False.
    ``engine``: None (parse here) or a ``dask.distributed.Client`` / scheduler address, to parse and
    analyse on a Dask cluster with the same results (see :mod:`factbench.claims.distributed`).

    Files that cannot be read are skipped and listed in ``corpus.skipped``; a single bad file, or a
    batch in which nothing can be read, raises :class:`~factbench.InputError`.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number between 0 and 1, not {threshold!r}")
    records, skipped = read_source(source, manifest=manifest, text_column=text_column, progress=progress)
    articles = _articles_table(records, skipped)
    if articles.empty:
        problems = "; ".join(f"{s['source']}: {s['problem']}" for s in skipped[:5])
        raise InputError(f"{source if not isinstance(source, pd.DataFrame) else '<DataFrame>'}: no article could be read"
                         + (f" ({problems})" if problems else ""))
    store = None
    if cache:
        try:
            store = ParseCache(None if cache is True else cache)
        except Exception as e:  # a read-only home or a broken cache file must not stop the work
            warnings.warn(f"parse cache unavailable ({e}); parsing without it", stacklevel=2)
    try:
        years = [int(p[:4]) if p[:4].isdigit() else None for p in articles["published"]]
        if engine is None:
            parsed = parse_texts(list(articles["text"]), years=years, nlp=nlp, cache=store, progress=progress,
                                 analyse=analyse, analysis_version=ANALYSIS_VERSION)
        else:
            if nlp is not None:
                raise ValueError("pass nlp= or engine=, not both: Dask workers load their own pipeline")
            from .distributed import parse_texts_distributed

            parsed = parse_texts_distributed(engine, list(articles["text"]), years=years, cache=store,
                                             progress=progress)
    finally:
        if store:
            store.close()
    sentences = _sentences_table(articles, parsed)
    claims = extract_claims(articles, sentences, parsed, threshold)
    skipped_df = pd.DataFrame(skipped, columns=["source", "problem"]).astype("string")
    from .. import __version__

    settings = {"threshold": threshold, "factbench": __version__,
                "pipeline": pipeline_version(nlp) if nlp is not None else default_pipeline_id()}
    return Corpus(articles, sentences, claims, skipped_df, settings)
