"""Statement groups: claims that say the same thing, across outlets.

Pairs are merged best score first, like average-linkage clustering over the pair graph: two groups
join only when more than half of the claim pairs between them are matched pairs. A chain A~B, B~C
with A and C unrelated therefore stays {A, B} + {C}: a group holds together, it is not just a
connected component.

>>> import pandas as pd
>>> pairs = pd.DataFrame({"claim_id_l": ["A", "B"], "claim_id_r": ["B", "C"], "score": [90.0, 80.0]})
>>> g = group(pairs, ["A", "B", "C"])
>>> g.set_index("claim_id")["group_size"].to_dict()
{'A': 2, 'B': 2, 'C': 1}
"""

from __future__ import annotations

import hashlib

import pandas as pd

from .. import schema


def _claim_ids(claims) -> list[str]:
    if hasattr(claims, "claims"):
        claims = claims.claims
    if isinstance(claims, pd.DataFrame):
        return claims["claim_id"].astype(str).tolist()
    return [str(c) for c in claims]


def group(pairs: pd.DataFrame, claims=None, *, min_link: float = 0.5) -> pd.DataFrame:
    """claim_id, group_id, group_size for every claim (claims in no pair form groups of one).

    ``claims``: a Corpus, a claims DataFrame or a list of ids (default: the ids in ``pairs``).
    ``min_link``: two groups merge only when more than this share of the pairs between them match."""
    ids = _claim_ids(claims) if claims is not None else []
    p = pairs.sort_values(["score", "claim_id_l", "claim_id_r"], ascending=[False, True, True])
    linked: set[tuple[str, str]] = set()
    for a, b in zip(p["claim_id_l"].astype(str), p["claim_id_r"].astype(str)):
        linked.add((a, b))
        linked.add((b, a))
    seen = set(ids)
    for c in list(p["claim_id_l"].astype(str)) + list(p["claim_id_r"].astype(str)):
        if c not in seen:
            ids.append(c)
            seen.add(c)
    members: dict[str, list[str]] = {c: [c] for c in ids}
    where: dict[str, str] = {c: c for c in ids}
    for a, b in zip(p["claim_id_l"].astype(str), p["claim_id_r"].astype(str)):
        ga, gb = where[a], where[b]
        if ga == gb:
            continue
        ma, mb = members[ga], members[gb]
        links = sum(1 for x in ma for y in mb if (x, y) in linked)
        if links / (len(ma) * len(mb)) <= min_link and not (len(ma) == 1 and len(mb) == 1):
            continue
        if len(ma) < len(mb):
            ga, gb, ma, mb = gb, ga, mb, ma
        ma.extend(mb)
        for x in mb:
            where[x] = ga
        del members[gb]
    rows = []
    for m in members.values():
        gid = "g" + hashlib.sha1("\x1f".join(sorted(m)).encode()).hexdigest()[:10]
        rows += [{"claim_id": c, "group_id": gid, "group_size": len(m)} for c in m]
    out = schema.conform(pd.DataFrame(rows, columns=list(schema.TABLES["groups"])), "groups")
    order = {c: k for k, c in enumerate(ids)}
    return out.sort_values("claim_id", key=lambda s: s.map(order), ignore_index=True)


class StatementGroups:
    """Statement groups across outlets, for reading: ``.frame`` is the table; in a notebook it shows
    each group with its outlets and texts (escaped)."""

    def __init__(self, groups: pd.DataFrame, corpus, flags: pd.DataFrame | None = None):
        claims = corpus.claims if hasattr(corpus, "claims") else corpus
        cols = [c for c in ("claim_id", "outlet", "text", "sourcing") if c in claims.columns]
        self.frame = groups.merge(claims[cols], on="claim_id", how="left")
        self.flagged = set()
        if flags is not None and len(flags):
            self.flagged = set(flags["claim_id_l"]) | set(flags["claim_id_r"])

    def multi(self) -> pd.DataFrame:
        """Only the groups reported by more than one claim."""
        return self.frame[self.frame["group_size"] > 1]

    def __len__(self) -> int:
        return self.multi()["group_id"].nunique()

    def __repr__(self) -> str:
        return f"<StatementGroups: {len(self)} groups across outlets, {len(self.frame)} claims>"

    def _repr_html_(self) -> str:
        import html

        esc = html.escape
        m = self.multi().sort_values(["group_size", "group_id"], ascending=[False, True])
        parts = [f"<div class='factbench-groups'><p><b>{len(self)} statement groups</b> across outlets "
                 f"({len(self.frame)} claims in all)</p>"]
        for gid, g in m.groupby("group_id", sort=False):
            outlets = g["outlet"].nunique() if "outlet" in g else 0
            items = "".join(
                f"<li><b>{esc(str(r.outlet))}</b>{' ⚠' if r.claim_id in self.flagged else ''}: {esc(str(r.text))}</li>"
                for r in g.itertuples())
            parts.append(f"<details open><summary>{esc(gid)} · {len(g)} statements · {outlets} outlets</summary>"
                         f"<ul>{items}</ul></details>")
        parts.append("</div>")
        return "".join(parts)


def statement_groups(corpus, pairs: pd.DataFrame, flags: pd.DataFrame | None = None, **kwargs) -> StatementGroups:
    """Group matched pairs and wrap them for display (see :class:`StatementGroups`)."""
    return StatementGroups(group(pairs, corpus, **kwargs), corpus, flags)
