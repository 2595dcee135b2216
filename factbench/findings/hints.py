"""Verdict hints for reviewers: candidates, never verdicts (only a reviewer sets those).

* contradicted: the claim is one side of a discrepancy flag (:func:`factbench.discrepancies`: the
  same fact of one event with values that cannot both hold) that no reviewer dismissed; the reason is
  the flag's own explanation. Nothing else makes a claim "contradicted": a sentence flagged for words
  its source never uses (kind "wording") gets no hint, and the flag's explanation as the reason;
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

from .wording import KIND as WORDING


def hints(corpus, pairs: pd.DataFrame | None = None, groups: pd.DataFrame | None = None,
          flags: pd.DataFrame | None = None, *, dismissed=()) -> pd.DataFrame:
    """claim_id, hint (contradicted | supported | unsourced | ""), reason. ``dismissed``: flag ids
    reviewers dismissed (they make no hint)."""
    claims = getattr(corpus, "claims", corpus).reset_index(drop=True)
    ids = claims["claim_id"].astype(str).tolist()
    outlet = dict(zip(ids, claims["outlet"].astype(str)))
    sourcing = dict(zip(ids, claims["sourcing"].astype(str))) if "sourcing" in claims.columns else {}
    flagged: dict[str, list[str]] = {}
    doubted: dict[str, list[str]] = {}  # words the source never uses: worth a look, not a contradiction
    if flags is not None and len(flags):
        dismissed = set(map(str, dismissed))
        fids = flags["flag_id"].astype(str) if "flag_id" in flags.columns else pd.Series([""] * len(flags))
        why = flags["explanation"].astype(str) if "explanation" in flags.columns else flags["kind"].astype(str)
        for fid, a, b, kind, reason in zip(fids, flags["claim_id_l"].astype(str), flags["claim_id_r"].astype(str),
                                           flags["kind"], why):
            if fid and fid in dismissed:
                continue
            if kind == WORDING:
                doubted.setdefault(b, []).append(reason)
                continue
            for x, y in ((a, b), (b, a)):
                if x:
                    flagged.setdefault(x, []).append(f"{kind} differs from {outlet.get(y, 'another statement')}: {reason}"
                                                     if y else f"{kind} is inconsistent: {reason}")
    group_of, members = {}, {}
    if groups is not None:
        group_of = dict(zip(groups["claim_id"].astype(str), groups["group_id"].astype(str)))
        for c, g in group_of.items():
            members.setdefault(g, []).append(c)
    rows = []
    for c in ids:
        mates = [m for m in members.get(group_of.get(c, ""), []) if m != c]
        if c in flagged:
            rows.append((c, "contradicted", "; ".join(sorted(set(flagged[c])))))
            continue
        if c in doubted:
            rows.append((c, "", "; ".join(sorted(set(doubted[c])))))
            continue
        if any(m in flagged for m in mates):
            rows.append((c, "", "a statement in its group has a discrepancy flag"))  # no support claimed either
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
