"""The :class:`Corpus`: the articles, sentences and claims tables of one load, and what was skipped."""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, field

import pandas as pd

from . import schema


@dataclass
class Corpus:
    """Tables of one load. ``settings`` records how they were made (threshold, pipeline, version)."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    claims: pd.DataFrame
    skipped: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source", "problem"]))
    settings: dict = field(default_factory=dict)

    def __post_init__(self):
        schema.check(self.articles, "articles")
        schema.check(self.sentences, "sentences")
        schema.check(self.claims, "claims")

    @property
    def fingerprint(self) -> str:
        """A hash of the articles' ids, outlets and texts: the same input gives the same fingerprint."""
        h = hashlib.sha256()
        for row in self.articles[["article_id", "outlet", "text"]].itertuples(index=False):
            h.update("\x1f".join(map(str, row)).encode())
            h.update(b"\x1e")
        return h.hexdigest()[:16]

    def per_outlet(self) -> pd.DataFrame:
        """Articles, sentences, claims and claims by sourcing, one row per outlet."""
        a = self.articles.groupby("outlet").size().rename("articles")
        s = self.sentences.merge(self.articles[["article_id", "outlet"]], on="article_id").groupby("outlet").size().rename("sentences")
        c = self.claims.groupby("outlet").size().rename("claims")
        src = pd.crosstab(self.claims["outlet"], self.claims["sourcing"]) if len(self.claims) else pd.DataFrame()
        for col in schema.SOURCING:
            if col not in src.columns:
                src[col] = 0
        out = pd.concat([a, s, c, src[list(schema.SOURCING)]], axis=1).fillna(0).astype(int)
        out.index.name = "outlet"
        return out

    def summary(self) -> str:
        lines = [f"{len(self.articles)} articles from {self.articles['outlet'].nunique()} outlets, "
                 f"{len(self.sentences)} sentences, {len(self.claims)} claims "
                 f"(check-worthiness >= {self.settings.get('threshold', '?')})"]
        if len(self.claims):
            counts = self.claims["sourcing"].value_counts()
            lines.append("sourcing: " + ", ".join(f"{k} {int(counts.get(k, 0))}" for k in schema.SOURCING))
        if len(self.skipped):
            lines.append(f"skipped {len(self.skipped)} input(s):")
            lines += [f"  {r.source}: {r.problem}" for r in self.skipped.itertuples()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<Corpus {self.summary().splitlines()[0]}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        head = esc(self.summary().splitlines()[0])
        table = self.per_outlet().to_html(classes="factbench-table", border=0)  # to_html escapes cells
        top = self.claims.sort_values("checkworthiness", ascending=False).head(5)
        items = "".join(
            f"<li><b>{esc(r.outlet)}</b> ({r.checkworthiness:.2f}, {esc(r.sourcing)}): {esc(r.text)}</li>"
            for r in top.itertuples())
        skipped = ""
        if len(self.skipped):
            skipped = "<p>Skipped:</p><ul>" + "".join(
                f"<li>{esc(str(r.source))}: {esc(str(r.problem))}</li>" for r in self.skipped.itertuples()) + "</ul>"
        return (f"<div class='factbench-corpus'><p><b>factbench corpus</b>: {head}</p>{table}"
                f"<p>Most check-worthy claims:</p><ul>{items}</ul>{skipped}</div>")
