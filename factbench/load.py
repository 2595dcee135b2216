"""``fb.load``: articles → sentences (with exact offsets) → check-worthy claims."""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import replace
from pathlib import Path

import pandas as pd

from . import schema
from .claims import attribution
from .corpus import Corpus
from .nlp import get_nlp, pipeline_version
from .parse import ParseCache, Parsed, parse_texts
from .sources import InputError, article_id_for, read_source
from .text import clean_article, normalise
from .values import find_dates, find_durations, find_numbers

#: Sentences scoring at least this are claims. On the CLEF 2019 training debates this keeps about
#: the top fifth of sentences; in news reporting, where most sentences report something, about half.
DEFAULT_THRESHOLD = 0.5


def _iso_date(value: str) -> str:
    if not value:
        return ""
    try:
        from dateutil import parser

        return parser.parse(str(value), default=None, fuzzy=True).date().isoformat()
    except (ValueError, OverflowError, TypeError):
        return ""


def claim_id_for(article_id: str, text: str) -> str:
    """A claim's stable id: the same article and the same words give the same id on any machine.

    >>> claim_id_for("a1", "The  swap was “equal”.") == claim_id_for("a1", "the swap was \\"equal\\"")
    True
    """
    return "c" + hashlib.sha1(f"{article_id}\x1f{normalise(text)}".encode()).hexdigest()[:16]


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
        rows.append({"article_id": aid, "outlet": outlet, "title": c.title or r.get("title", ""),
                     "published": _iso_date(r.get("published", "")), "url": r.get("url", ""),
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
    by_article = dict(zip(articles["article_id"], zip(articles["text"], articles["outlet"], articles["published"], parsed)))
    for aid, group in sentences.groupby("article_id", sort=False):
        text, outlet, published, p = by_article[aid]
        year = int(published[:4]) if published[:4].isdigit() else None
        last_named = ""
        prev = None
        ids_seen: dict[str, int] = {}
        for s, e, stext, score, sid in zip(group["start"], group["end"], group["text"], group["checkworthiness"],
                                           group["sentence_id"]):
            ents = [(text[a:b], lab, a - s, b - s) for a, b, lab in p.ents if s <= a and b <= e]
            att = attribution(stext, ents)
            speaker, sourcing = att.speaker, att.sourcing
            # a quotation continued from the previous sentence keeps its speaker
            same_paragraph = prev is not None and "\n" not in text[prev[1]:s]
            if att.quote and not speaker and same_paragraph and prev[0].quote and prev[0].speaker:
                speaker, sourcing = prev[0].speaker, prev[0].sourcing
            # "he said": the last named person of the article
            if speaker.lower() in ("he", "she") and last_named:
                speaker = last_named
            if sourcing == "named" and any(lab == "PERSON" and et in speaker for et, lab, *_ in ents):
                last_named = next(et for et, lab, *_ in ents if lab == "PERSON" and et in speaker)
            prev = (replace(att, speaker=speaker, sourcing=sourcing), e)
            if score < threshold:
                continue
            dates = find_dates(stext, year=year)
            durs = find_durations(stext, year=year)
            nums = find_numbers(stext, skip=[(d.start, d.end) for d in dates] + [(d.start, d.end) for d in durs])
            cid = claim_id_for(aid, stext)
            n = ids_seen.get(cid, 0)
            ids_seen[cid] = n + 1
            if n:
                cid = f"{cid}-{n}"
            rows.append({
                "claim_id": cid, "sentence_id": sid, "article_id": aid, "outlet": outlet, "text": stext,
                "start": s, "end": e, "checkworthiness": score,
                "numbers": [q.value for q in nums], "dates": [d.iso for d in dates],
                "entities": [{"text": et, "label": lab, "start": a + s, "end": b + s} for et, lab, a, b in ents],
                "quote": att.quote, "speaker": speaker, "sourcing": sourcing, "hedged": att.hedged,
            })
    return schema.conform(pd.DataFrame(rows), "claims") if rows else schema.empty("claims")


def load(source, manifest=None, nlp=None, *, threshold: float = DEFAULT_THRESHOLD, text_column: str | None = None,
         cache: bool | str | Path = True, progress: bool = True) -> Corpus:
    """Load articles into a :class:`~factbench.Corpus` of articles, sentences and claims.

    ``source``: a folder of .txt/.md/.html files (with an ``articles.csv`` manifest if present), one
    such file, a CSV/TSV/JSONL/Parquet table with a text column, or a pandas DataFrame.
    ``manifest``: a CSV or DataFrame with a ``file`` column and outlet/title/published/url.
    ``threshold``: check-worthiness (0..1) a sentence needs to be a claim (default
    :data:`DEFAULT_THRESHOLD`). ``cache``: True (the user cache folder), a file path, or False.

    Files that cannot be read are skipped and listed in ``corpus.skipped``; a single bad file, or a
    batch in which nothing can be read, raises :class:`~factbench.InputError`.
    """
    records, skipped = read_source(source, manifest=manifest, text_column=text_column, progress=progress)
    articles = _articles_table(records, skipped)
    if articles.empty:
        problems = "; ".join(f"{s['source']}: {s['problem']}" for s in skipped[:5])
        raise InputError(f"{source if not isinstance(source, pd.DataFrame) else '<DataFrame>'}: no article could be read"
                         + (f" ({problems})" if problems else ""))
    nlp = nlp or get_nlp()
    store = None
    if cache:
        try:
            store = ParseCache(None if cache is True else cache)
        except Exception as e:  # a read-only home or a broken cache file must not stop the work
            warnings.warn(f"parse cache unavailable ({e}); parsing without it", stacklevel=2)
    try:
        parsed = parse_texts(list(articles["text"]), nlp=nlp, cache=store, progress=progress)
    finally:
        if store:
            store.close()
    sentences = _sentences_table(articles, parsed)
    claims = extract_claims(articles, sentences, parsed, threshold)
    skipped_df = pd.DataFrame(skipped, columns=["source", "problem"]).astype("string")
    from . import __version__

    settings = {"threshold": threshold, "pipeline": pipeline_version(nlp), "factbench": __version__}
    return Corpus(articles, sentences, claims, skipped_df, settings)
