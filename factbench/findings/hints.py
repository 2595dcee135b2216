"""Verdict hints for reviewers: candidates, never verdicts (only a reviewer sets those).

* contradicted: the claim, or a statement in its group, disagrees with another on a fact;
* supported: the same statement is reported by two or more other outlets that name their sources,
  with no discrepancy in the group;
* unsourced: the claim rests on no named source (sourcing "none" or "anonymous").

>>> import pandas as pd
>>> claims = pd.DataFrame({"claim_id": ["a", "b"], "outlet": ["X", "Y"], "sourcing": ["none", "named"]})
>>> hints(claims)["hint"].tolist()
['unsourced', '']
"""

from __future__ import annotations

import pandas as pd


def hints(corpus, pairs: pd.DataFrame | None = None, groups: pd.DataFrame | None = None,
          flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """claim_id, hint (contradicted | supported | unsourced | ""), reason."""
    claims = getattr(corpus, "claims", corpus).reset_index(drop=True)
    ids = claims["claim_id"].astype(str).tolist()
    outlet = dict(zip(ids, claims["outlet"].astype(str)))
    sourcing = dict(zip(ids, claims["sourcing"].astype(str))) if "sourcing" in claims.columns else {}
    flagged: dict[str, list[str]] = {}
    if flags is not None:
        for a, b, kind in zip(flags["claim_id_l"].astype(str), flags["claim_id_r"].astype(str), flags["kind"]):
            for x, y in ((a, b), (b, a)):
                if x:
                    flagged.setdefault(x, []).append(f"{kind} differs from {outlet.get(y, 'another statement')}"
                                                     if y else f"{kind} is inconsistent")
    group_of, members = {}, {}
    if groups is not None:
        group_of = dict(zip(groups["claim_id"].astype(str), groups["group_id"].astype(str)))
        for c, g in group_of.items():
            members.setdefault(g, []).append(c)
    rows = []
    for c in ids:
        mates = [m for m in members.get(group_of.get(c, ""), []) if m != c]
        group_flags = [m for m in mates if m in flagged]
        if c in flagged:
            rows.append((c, "contradicted", "; ".join(sorted(set(flagged[c])))))
            continue
        if group_flags:
            rows.append((c, "contradicted", f"a statement in its group has a discrepancy ({outlet.get(group_flags[0], '')})"))
            continue
        named = sorted({outlet[m] for m in mates if sourcing.get(m) == "named" and outlet.get(m) != outlet.get(c)})
        if len(named) >= 2:
            rows.append((c, "supported", "also reported with named sources by " + ", ".join(named)))
            continue
        if sourcing.get(c) in ("none", "anonymous"):
            rows.append((c, "unsourced", "no named source" if sourcing[c] == "none" else "anonymous source only"))
            continue
        rows.append((c, "", ""))
    return pd.DataFrame(rows, columns=["claim_id", "hint", "reason"]).astype("string")
