"""Agreement between reviewers: Cohen's kappa for each pair, Krippendorff's alpha for all.

Skips are not verdicts and are left out; so are claims only one reviewer judged, and dismissed
discrepancy flags (rows about a flag, not a claim).

>>> import pandas as pd
>>> latest = pd.DataFrame({"claim_id": ["a", "b", "c", "d"] * 2, "reviewer": ["x"] * 4 + ["y"] * 4,
...     "verdict": ["supported", "supported", "contradicted", "unsourced",
...                 "supported", "contradicted", "contradicted", "unsourced"]})
>>> agreement(latest).round(3).to_dict("records")[0]["cohen_kappa"]
0.636
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pandas as pd


def _table(latest) -> pd.DataFrame:
    df = latest.latest() if hasattr(latest, "latest") else latest
    df = df[df["verdict"].notna() & ~df["verdict"].isin(["skip", "dismissed"])]
    return df.pivot_table(index="claim_id", columns="reviewer", values="verdict", aggfunc="last")


def cohen_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two aligned label lists (1.0 when both agree on everything, incl. one label)."""
    n = len(a)
    if n == 0:
        return float("nan")
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return 1.0 if pe == 1 else (po - pe) / (1 - pe)


def krippendorff_alpha(units: list[list[str]]) -> float:
    """Krippendorff's alpha for nominal labels; ``units``: the labels each claim received (2+ each)."""
    units = [u for u in units if len(u) >= 2]
    if not units:
        return float("nan")
    coincid: Counter = Counter()
    for u in units:
        m = len(u)
        for i, x in enumerate(u):
            for j, y in enumerate(u):
                if i != j:
                    coincid[(x, y)] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (x, _), v in coincid.items():
        n_c[x] += v
    n = sum(n_c.values())
    d_o = sum(v for (x, y), v in coincid.items() if x != y)
    d_e = sum(n_c[x] * n_c[y] for x in n_c for y in n_c if x != y) / (n - 1)
    return 1.0 if d_e == 0 else 1 - d_o / d_e


def agreement(latest) -> pd.DataFrame:
    """One row per reviewer pair (cohen_kappa, claims, agreed) and one "all reviewers" row
    (krippendorff_alpha). ``latest``: a VerdictStore or its ``latest()`` frame."""
    t = _table(latest)
    rows = []
    for x, y in combinations(sorted(t.columns), 2):
        both = t[[x, y]].dropna()
        rows.append({"reviewers": f"{x} / {y}", "claims": len(both),
                     "agreed": int((both[x] == both[y]).sum()),
                     "cohen_kappa": cohen_kappa(both[x].tolist(), both[y].tolist()),
                     "krippendorff_alpha": float("nan")})
    units = [[v for v in row if isinstance(v, str)] for row in t.itertuples(index=False)]
    multi = [u for u in units if len(u) >= 2]
    rows.append({"reviewers": "all reviewers", "claims": len(multi),
                 "agreed": sum(1 for u in multi if len(set(u)) == 1), "cohen_kappa": float("nan"),
                 "krippendorff_alpha": krippendorff_alpha(multi)})
    return pd.DataFrame(rows)


def disagreements(latest) -> pd.DataFrame:
    """Claims on which reviewers' current verdicts differ: claim_id and one column per reviewer."""
    t = _table(latest)
    differ = t.apply(lambda r: len(set(r.dropna())) > 1, axis=1)
    return t[differ].reset_index()
