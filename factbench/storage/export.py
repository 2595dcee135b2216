"""Exporting verdicts: CSV, FEVER-style JSON Lines and schema.org ClaimReview JSON-LD.

Every export records the factbench version, the settings of the analysis and a fingerprint of the
input corpus, so a colleague can tell they are looking at the same analysis. Files are written
atomically (a crash never leaves half a file) and CSV cells that a spreadsheet would run as formulas
are neutralised.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from ..storage.csvio import write_csv, write_text

FEVER_LABELS = {"supported": "SUPPORTS", "contradicted": "REFUTES", "unsourced": "NOT ENOUGH INFO"}
RATING_NAMES = {"supported": "Supported", "contradicted": "Contradicted", "unsourced": "Unsourced"}
RATING_VALUES = {"contradicted": 1, "unsourced": 2, "supported": 3}

EXPORT_COLUMNS = ["claim_id", "group_id", "event_id", "article_id", "outlet", "title", "published", "url", "start", "end",
                  "text", "checkworthiness", "sourcing", "speaker", "verdict", "note", "evidence_url", "reviewer",
                  "decided_at", "factbench_version", "corpus_fingerprint", "settings"]


def _version() -> str:
    from .. import __version__

    return __version__


def verdict_table(corpus, store, *, groups: pd.DataFrame | None = None, settings: dict | None = None,
                  include_unreviewed: bool = True) -> pd.DataFrame:
    """One row per claim and reviewer (claims nobody reviewed: one row with no verdict)."""
    claims = corpus.claims if hasattr(corpus, "claims") else corpus
    latest = store.latest()[["claim_id", "verdict", "note", "evidence_url", "reviewer", "decided_at"]]
    df = claims.merge(latest, on="claim_id", how="left" if include_unreviewed else "inner")
    if hasattr(corpus, "articles"):
        df = df.merge(corpus.articles[["article_id", "title", "published", "url"]], on="article_id", how="left")
    if groups is not None:
        df = df.merge(groups[["claim_id", "group_id"]], on="claim_id", how="left")
    all_settings = dict(getattr(corpus, "settings", {}) or {})
    all_settings.update(settings or {})
    df["factbench_version"] = _version()
    df["corpus_fingerprint"] = getattr(corpus, "fingerprint", "")
    df["settings"] = json.dumps(all_settings, sort_keys=True, default=str)
    for col in EXPORT_COLUMNS:
        if col not in df.columns:
            df[col] = ""
    out = df[EXPORT_COLUMNS].copy()
    for col in ("verdict", "note", "evidence_url", "reviewer", "decided_at", "group_id", "event_id", "title", "published",
                "url"):
        out[col] = out[col].astype(object).where(out[col].notna(), "")
    return out.sort_values(["claim_id", "reviewer"], kind="stable", ignore_index=True)


def export_csv(corpus, store, path: str | os.PathLike, *, groups: pd.DataFrame | None = None,
               settings: dict | None = None) -> Path:
    """Write the verdicts as UTF-8 RFC 4180 CSV (see :func:`verdict_table`)."""
    return write_csv(verdict_table(corpus, store, groups=groups, settings=settings), path)


def _write_text(path: str | os.PathLike, text: str) -> Path:
    return write_text(path, text)


def is_web_url(value) -> bool:
    """An http(s) address with a host: what a URL field of an export may hold.

    >>> is_web_url("https://example.org/a"), is_web_url("javascript:alert(1)"), is_web_url("data:text/html,x")
    (True, False, False)
    >>> is_web_url(" http://x.org"), is_web_url("http://"), is_web_url("https://a.org/\\nb")
    (False, False, False)
    """
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    if any(ord(ch) < 33 or ch == "\x7f" for ch in value):
        return False
    try:
        u = urlsplit(value)
    except ValueError:
        return False
    return u.scheme.lower() in ("http", "https") and bool(u.hostname)


def fever_records(corpus, store, *, settings: dict | None = None) -> list[dict]:
    """FEVER-shaped records: supported → SUPPORTS, contradicted → REFUTES, unsourced → NOT ENOUGH INFO."""
    t = verdict_table(corpus, store, settings=settings, include_unreviewed=False)
    t = t[t["verdict"].isin(list(FEVER_LABELS))]
    return [{
        "id": r.claim_id, "claim": r.text, "label": FEVER_LABELS[r.verdict], "unsourced": r.verdict == "unsourced",
        "evidence": [[r.evidence_url]] if r.evidence_url else [], "note": r.note, "reviewer": r.reviewer,
        "decided_at": r.decided_at, "outlet": r.outlet, "article_id": r.article_id, "event_id": r.event_id,
        "url": r.url if is_web_url(r.url) else "",
        "sourcing": r.sourcing, "factbench_version": r.factbench_version, "corpus_fingerprint": r.corpus_fingerprint,
    } for r in t.itertuples()]


def export_jsonl(corpus, store, path: str | os.PathLike, *, settings: dict | None = None) -> Path:
    lines = [json.dumps(rec, ensure_ascii=False) for rec in fever_records(corpus, store, settings=settings)]
    return _write_text(path, "\n".join(lines) + ("\n" if lines else ""))


def claim_reviews(corpus, store, *, groups: pd.DataFrame | None = None, settings: dict | None = None) -> list[dict]:
    """schema.org ClaimReview objects; ``itemReviewed`` lists every appearance of the statement
    across outlets (its group)."""
    t = verdict_table(corpus, store, groups=groups, settings=settings, include_unreviewed=False)
    t = t[t["verdict"].isin(list(RATING_NAMES))]
    claims = corpus.claims if hasattr(corpus, "claims") else corpus
    arts = corpus.articles.set_index("article_id") if hasattr(corpus, "articles") else None
    members: dict[str, list[str]] = {}
    if groups is not None:
        for c, g in zip(groups["claim_id"], groups["group_id"]):
            members.setdefault(g, []).append(c)
    by_id = claims.set_index("claim_id")
    out = []
    for r in t.itertuples():
        same = members.get(r.group_id, [r.claim_id]) if r.group_id else [r.claim_id]
        appearances = []
        for c in same:
            if c not in by_id.index:
                continue
            row = by_id.loc[c]
            work = {"@type": "CreativeWork", "publisher": {"@type": "Organization", "name": str(row["outlet"])},
                    "text": str(row["text"])}
            if arts is not None and row["article_id"] in arts.index:
                a = arts.loc[row["article_id"]]
                if is_web_url(a["url"]):
                    work["url"] = str(a["url"])
                if a["title"]:
                    work["headline"] = str(a["title"])
                if a["published"]:
                    work["datePublished"] = str(a["published"])
            appearances.append(work)
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview", "claimReviewed": r.text,
            "reviewRating": {"@type": "Rating", "ratingValue": RATING_VALUES[r.verdict], "bestRating": 3,
                             "worstRating": 1, "alternateName": RATING_NAMES[r.verdict]},
            "itemReviewed": {"@type": "Claim", "appearance": appearances,
                             "author": {"@type": "Organization", "name": r.outlet}},
            "author": {"@type": "Person", "name": r.reviewer},
            "datePublished": str(r.decided_at)[:10],
            "identifier": r.claim_id,
        }
        if r.published:
            review["itemReviewed"]["datePublished"] = str(r.published)
        if is_web_url(r.evidence_url):
            review["url"] = r.evidence_url  # an evidence note that is not an address stays out of the url field
        if r.note:
            review["reviewBody"] = r.note
        out.append(review)
    return out


class ClaimReviewError(ValueError):
    """A ClaimReview object lacks what schema.org and search engines require."""


def validate_claim_review(obj: dict) -> None:
    """Check the fields a ClaimReview needs; raise :class:`ClaimReviewError` naming the first problem."""
    def need(cond, what):
        if not cond:
            raise ClaimReviewError(f"ClaimReview {obj.get('identifier', '?')}: {what}")
    need(obj.get("@context") == "https://schema.org", "@context must be https://schema.org")
    need(obj.get("@type") == "ClaimReview", "@type must be ClaimReview")
    need(isinstance(obj.get("claimReviewed"), str) and obj["claimReviewed"].strip(), "claimReviewed must be text")
    rating = obj.get("reviewRating") or {}
    need(rating.get("@type") == "Rating", "reviewRating must be a Rating")
    need(isinstance(rating.get("alternateName"), str) and rating["alternateName"], "reviewRating needs alternateName")
    need(rating.get("worstRating", 1) <= rating.get("ratingValue", 0) <= rating.get("bestRating", 0),
         "ratingValue must lie between worstRating and bestRating")
    item = obj.get("itemReviewed") or {}
    need(item.get("@type") == "Claim", "itemReviewed must be a Claim")
    need(isinstance(item.get("appearance"), list) and item["appearance"], "itemReviewed needs at least one appearance")
    for a in item["appearance"]:
        need(a.get("@type") == "CreativeWork", "each appearance must be a CreativeWork")
        if "url" in a:
            need(is_web_url(a["url"]), f"appearance url must be an http(s) address, not {str(a['url'])[:40]!r}")
    need((obj.get("author") or {}).get("name"), "author needs a name")
    date = obj.get("datePublished", "")
    need(isinstance(date, str) and len(date) == 10 and date[4] == "-" and date[7] == "-", "datePublished must be YYYY-MM-DD")
    if "url" in obj:
        need(is_web_url(obj["url"]), f"url must be an http(s) address, not {str(obj['url'])[:40]!r}")


def export_claimreview(corpus, store, path: str | os.PathLike, *, groups: pd.DataFrame | None = None,
                       settings: dict | None = None) -> Path:
    """Write ClaimReview JSON-LD (a JSON list), every object validated first."""
    reviews = claim_reviews(corpus, store, groups=groups, settings=settings)
    for r in reviews:
        validate_claim_review(r)
    return _write_text(path, json.dumps(reviews, ensure_ascii=False, indent=2) + "\n")
