"""The lookups a review session needs for every claim, built once from the analysis tables.

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b", "c"]})
>>> pairs = pd.DataFrame({"claim_id_l": ["a"], "claim_id_r": ["b"], "score": [91.0]})
>>> groups = pd.DataFrame({"claim_id": ["a", "b"], "group_id": ["g1", "g1"]})
>>> ix = ReviewIndex.build(claims, pairs=pairs, groups=groups)
>>> ix.pairs_of["b"], ix.members["g1"], ix.position["c"]
([('a', 91.0)], ['a', 'b'], 2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ReviewIndex:
    """``position``: claim id → row; ``group_of`` / ``members``: statement groups; ``pairs_of``: matched
    claims with scores; ``flags_of``: discrepancy rows per claim; ``hints``: claim id → (hint, reason);
    ``articles``: the articles table indexed by article id (None without a corpus)."""

    position: dict[str, int]
    group_of: dict[str, str] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    pairs_of: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    flags_of: dict[str, list[dict]] = field(default_factory=dict)
    hints: dict[str, tuple[str, str]] = field(default_factory=dict)
    articles: pd.DataFrame | None = None
    dismissed: set[str] = field(default_factory=set)  # flag ids the reviewer dismissed
    #: claim id → [(earlier fact-check's text, score)], from fb.match(claims, against=reference)
    checked_of: dict[str, list[tuple[str, float]]] = field(default_factory=dict)

    @classmethod
    def build(cls, claims: pd.DataFrame, *, articles: pd.DataFrame | None = None, pairs: pd.DataFrame | None = None,
              groups: pd.DataFrame | None = None, flags: pd.DataFrame | None = None,
              hints: pd.DataFrame | None = None, checked: pd.DataFrame | None = None) -> "ReviewIndex":
        ix = cls(position={c: k for k, c in enumerate(claims["claim_id"].astype(str))},
                 articles=articles.set_index("article_id") if articles is not None else None)
        if groups is not None:
            ix.group_of = dict(zip(groups["claim_id"].astype(str), groups["group_id"].astype(str)))
            for c, g in ix.group_of.items():
                ix.members.setdefault(g, []).append(c)
        if pairs is not None:
            for a, b, score in zip(pairs["claim_id_l"].astype(str), pairs["claim_id_r"].astype(str), pairs["score"]):
                ix.pairs_of.setdefault(a, []).append((b, score))
                ix.pairs_of.setdefault(b, []).append((a, score))
        if flags is not None:
            for f in flags.to_dict("records"):
                for c in (f["claim_id_l"], f["claim_id_r"]):
                    if c:
                        ix.flags_of.setdefault(str(c), []).append(f)
        if hints is not None:
            ix.hints = {str(c): (str(h), str(r)) for c, h, r in zip(hints["claim_id"], hints["hint"], hints["reason"])
                        if h}
        if checked is not None:
            text = checked["text_r"] if "text_r" in checked.columns else checked["claim_id_r"]
            for c, t, score in zip(checked["claim_id_l"].astype(str), text.astype(str), checked["score"]):
                ix.checked_of.setdefault(c, []).append((t, float(score)))
        return ix

    def live_flags(self, claim_id: str) -> list[dict]:
        """The claim's discrepancy flags that the reviewer has not dismissed."""
        return [f for f in self.flags_of.get(claim_id, []) if str(f.get("flag_id", "")) not in self.dismissed]

    def flagged(self, claim_id: str) -> bool:
        """Whether the claim, or another statement of its group, has a discrepancy not dismissed."""
        if self.live_flags(claim_id):
            return True
        return any(self.live_flags(m) for m in self.members.get(self.group_of.get(claim_id, ""), []))
