"""The review session: the queue of claims, the current one, and what a reviewer does to it.

Pure Python (no widget imports): the panel draws a session and forwards clicks and keys to it, so
every rule here is tested without a kernel.

>>> import pandas as pd
>>> from factbench.storage.store import VerdictStore
>>> claims = pd.DataFrame({"claim_id": ["a", "b"], "article_id": ["1", "2"], "outlet": ["X", "Y"],
...                        "text": ["First.", "Second."], "checkworthiness": [0.4, 0.9]})
>>> s = ReviewSession(claims, store=VerdictStore(":memory:"), reviewer="ana")
>>> s.current_id, s.submit("supported").ok, s.current_id
('b', True, 'a')
>>> s.progress()["done"], s.undo(), s.current_id
(1, 'b', 'b')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from ..storage.store import FLAG_VERDICTS, VERDICTS, VerdictStore
from .index import ReviewIndex

ORDERS = ("checkworthiness", "group", "document")


@dataclass
class Filter:
    """Which claims the queue holds. ``state``: "all", "unreviewed", "reviewed" or a verdict."""

    outlets: tuple[str, ...] = ()
    state: str = "all"
    has_discrepancy: bool | None = None
    group: str | None = None

    @classmethod
    def from_value(cls, value) -> "Filter":
        if value is None:
            return cls()
        if isinstance(value, Filter):
            return value
        v = dict(value)
        outlets = v.get("outlets", v.get("outlet", ()))
        if isinstance(outlets, str):
            outlets = (outlets,)
        return cls(tuple(outlets), v.get("state", "all"), v.get("has_discrepancy"), v.get("group"))


@dataclass
class Outcome:
    """What the last action did, for the panel to show."""

    ok: bool
    message: str = ""
    claim_ids: list[str] = field(default_factory=list)


class ReviewSession:
    """Queue, position, verdicts, undo, filters and order for one reviewer.

    ``claims``: a Corpus or a claims DataFrame; ``store``: a :class:`VerdictStore` (passed in, never
    opened here); ``pairs``/``groups``/``flags``: results of matching, optional; ``hints``: from
    :func:`factbench.findings.hints`, shown unless ``blind``; ``checked``: from
    ``fb.match(claims, against=reference)``, shown as "checked before: …"; ``events``: from
    :func:`factbench.events`, for the event labels on the cards. A reviewer can dismiss a flag
    (:meth:`dismiss_flag`)."""

    def __init__(self, claims, *, store: VerdictStore, reviewer: str, pairs: pd.DataFrame | None = None,
                 groups: pd.DataFrame | None = None, flags: pd.DataFrame | None = None,
                 order: str = "checkworthiness", filter=None, blind: bool = False, min_dwell: float = 0.0,
                 hints: pd.DataFrame | None = None, checked: pd.DataFrame | None = None,
                 events: pd.DataFrame | None = None):
        if not reviewer or not str(reviewer).strip():
            raise ValueError("ReviewSession needs a reviewer name")
        if store is None:
            raise ValueError("ReviewSession needs a store, e.g. fb.VerdictStore('reviews.db')")
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}")
        self.corpus = claims if hasattr(claims, "claims") else None
        self.claims = (claims.claims if hasattr(claims, "claims") else claims).reset_index(drop=True)
        self.store = store
        self.reviewer = str(reviewer).strip()
        self.pairs, self.flags, self.groups, self.blind = pairs, flags, groups, blind
        # lookups the panel needs for every claim, built once
        self.index = ReviewIndex.build(self.claims, articles=self.corpus.articles if self.corpus is not None else None,
                                       pairs=pairs, groups=groups, flags=flags, hints=None if blind else hints,
                                       checked=checked)
        self.min_dwell = min_dwell
        #: event id → its label (from :func:`factbench.events`), shown on each card
        self.event_labels: dict[str, str] = ({} if events is None else
                                             dict(zip(events["event_id"].astype(str), events["label"].astype(str))))
        self._load_decisions()
        self._order, self._filter = order, Filter.from_value(filter)
        self.queue: list[str] = []
        self.position = 0
        self._shown_at = time.monotonic()
        self.rebuild()

    def _load_decisions(self) -> None:
        """The reviewer's current verdicts on claims, and the flags they dismissed, from the log."""
        current = self.store.current(self.reviewer)
        self.verdicts: dict[str, str] = {c: v for c, v in current.items() if v in VERDICTS}
        self.index.dismissed = {c for c, v in current.items() if v in FLAG_VERDICTS}

    # ------------------------------------------------------------------ flags
    def flag(self, flag_id: str) -> dict | None:
        """One flag of the session's discrepancies by its id."""
        for fl in self.index.flags_of.values():
            for f in fl:
                if str(f.get("flag_id", "")) == flag_id:
                    return f
        return None

    def dismiss_flag(self, flag_id: str, note: str = "") -> Outcome:
        """The reviewer judges a discrepancy flag wrong: a "dismissed" row for its ``flag_id`` in the
        verdict log (undo appends a row as for any verdict). The flag stays visible, marked dismissed."""
        f = self.flag(flag_id)
        if f is None:
            return Outcome(False, f"no flag {flag_id!r} in this session")
        if flag_id in self.index.dismissed:
            return Outcome(False, "already dismissed", [flag_id])
        self.store.record(flag_id, "dismissed", reviewer=self.reviewer, note=note,
                          text=f"{f.get('text_l', '')}\x1f{f.get('text_r', '')}")
        self.index.dismissed.add(flag_id)
        if self._filter.has_discrepancy is not None:
            self.rebuild()
        return Outcome(True, f"flag dismissed ({f.get('kind', '')}: {f.get('value_l', '')} vs {f.get('value_r', '')})",
                       [flag_id])

    # ------------------------------------------------------------------ queue
    def _keep(self, c: str, outlet: str) -> bool:
        f = self._filter
        if f.outlets and outlet not in f.outlets:
            return False
        v = self.verdicts.get(c)
        if f.state == "unreviewed" and v is not None:
            return False
        if f.state == "reviewed" and v is None:
            return False
        if f.state in VERDICTS and v != f.state:
            return False
        if f.has_discrepancy is not None and self.index.flagged(c) != f.has_discrepancy:
            return False
        if f.group and self.index.group_of.get(c) != f.group:
            return False
        return True

    def rebuild(self, keep_current: bool = True) -> None:
        """Recompute the queue after a change of filter or order, staying on the current claim if it is kept."""
        current = self.current_id if keep_current and self.queue else None
        ids = self.claims["claim_id"].astype(str).tolist()
        outlets = self.claims["outlet"].astype(str).tolist()
        keep = [c for c, o in zip(ids, outlets) if self._keep(c, o)]
        if self._order == "checkworthiness" and "checkworthiness" in self.claims.columns:
            score = dict(zip(ids, self.claims["checkworthiness"]))
            keep.sort(key=lambda c: (-score[c], self.index.position[c]))
        elif self._order == "group":
            size = {g: len(m) for g, m in self.index.members.items()}
            keep.sort(key=lambda c: (-size.get(self.index.group_of.get(c, ""), 1), self.index.group_of.get(c, c), self.index.position[c]))
        self.queue = keep
        self._in_queue = set(keep)
        self.position = keep.index(current) if current in keep else min(self.position, max(0, len(keep) - 1))
        self._shown_at = time.monotonic()

    def set_filter(self, **kwargs) -> None:
        f = self._filter
        self._filter = Filter(**{**f.__dict__, **{k: (tuple(v) if k == "outlets" and v is not None else v)
                                                  for k, v in kwargs.items()}})
        self.rebuild()

    def set_order(self, order: str) -> None:
        if order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}")
        self._order = order
        self.rebuild()

    @property
    def filter(self) -> Filter:
        return self._filter

    @property
    def order(self) -> str:
        return self._order

    # ------------------------------------------------------------------ position
    @property
    def current_id(self) -> str | None:
        return self.queue[self.position] if self.queue else None

    def current(self) -> dict | None:
        """The current claim's row as a dict (None when the queue is empty)."""
        c = self.current_id
        return None if c is None else self.claims.iloc[self.index.position[c]].to_dict()

    def _moved(self) -> None:
        self._shown_at = time.monotonic()

    def next(self) -> str | None:
        if self.queue and self.position < len(self.queue) - 1:
            self.position += 1
            self._moved()
        return self.current_id

    def prev(self) -> str | None:
        if self.queue and self.position > 0:
            self.position -= 1
            self._moved()
        return self.current_id

    def goto(self, claim_id: str) -> bool:
        if claim_id in self.queue:
            self.position = self.queue.index(claim_id)
            self._moved()
            return True
        return False

    def next_unreviewed(self) -> str | None:
        """Move to the next claim without a verdict (after the current one, wrapping around)."""
        n = len(self.queue)
        for step in range(1, n + 1):
            k = (self.position + step) % n
            if self.queue[k] not in self.verdicts:
                self.position = k
                self._moved()
                return self.current_id
        return self.current_id

    # ------------------------------------------------------------------ decisions
    def _text(self, c: str) -> str:
        return str(self.claims.iloc[self.index.position[c]]["text"])

    def submit(self, verdict: str, note: str = "", evidence_url: str = "", *, claim_id: str | None = None,
               advance: bool = True) -> Outcome:
        """Record a verdict on the current claim. ``claim_id``: the claim the reviewer saw; when it is not
        the current one (a late click from a slow kernel) nothing is recorded. The same verdict twice in
        a row on one claim (a double click) is recorded once."""
        c = self.current_id
        if c is None:
            return Outcome(False, "no claim to review")
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}")
        if claim_id is not None and claim_id != c:
            return Outcome(False, "ignored: the click was for another claim")
        if self.min_dwell and time.monotonic() - self._shown_at < self.min_dwell:
            return Outcome(False, "ignored: too soon after the claim was shown (double click?)")
        last = self.store.history(c)
        mine = last[last["reviewer"] == self.reviewer]
        if self.verdicts.get(c) == verdict and len(mine) and mine.iloc[-1]["action"] == "set" \
                and mine.iloc[-1]["note"] == (note or "") and mine.iloc[-1]["evidence_url"] == (evidence_url or ""):
            if advance:
                if self._filter.state == "all":
                    self.next_unreviewed()
                else:
                    self.next()
            return Outcome(False, f"already {verdict}", [c])
        self.store.record(c, verdict, reviewer=self.reviewer, note=note, evidence_url=evidence_url, text=self._text(c))
        self.verdicts[c] = verdict
        if advance:
            self._advance_after_decision(c)
        return Outcome(True, f"{verdict}: recorded", [c])

    def _advance_after_decision(self, c: str) -> None:
        if self._filter.state != "all":
            # the decided claim may leave the queue (e.g. filter "unreviewed")
            pos = self.position
            self.rebuild(keep_current=False)
            self.position = min(pos, max(0, len(self.queue) - 1))
            self._moved()
        elif self.position < len(self.queue) - 1:
            self.position += 1
            self._moved()

    def skip(self, note: str = "", *, claim_id: str | None = None) -> Outcome:
        return self.submit("skip", note, claim_id=claim_id)

    def undo(self) -> str | None:
        """Undo this reviewer's latest decision and go back to its claim; returns the claim id."""
        c = self.store.undo(self.reviewer)
        if c is None:
            return None
        self._load_decisions()
        if c not in self.index.position:  # an undone dismissal: the flag is live again, stay on the claim
            if self._filter.has_discrepancy is not None:
                self.rebuild()
            return c
        if c not in self.queue:
            self.rebuild(keep_current=False)
        self.goto(c)
        return c

    def group_members(self, claim_id: str | None = None) -> list[str]:
        c = claim_id or self.current_id
        g = self.index.group_of.get(c or "")
        return list(self.index.members.get(g, [c] if c else []))

    def apply_to_group(self, verdict: str, note: str = "", evidence_url: str = "") -> Outcome:
        """The same verdict on every statement of the current claim's group, each its own row."""
        c = self.current_id
        if c is None:
            return Outcome(False, "no claim to review")
        ids = [m for m in self.group_members(c) if m in self.index.position]
        self.store.record_many(ids, verdict, reviewer=self.reviewer, note=note, evidence_url=evidence_url,
                               texts=[self._text(m) for m in ids])
        for m in ids:
            self.verdicts[m] = verdict
        self._advance_after_decision(c)
        return Outcome(True, f"{verdict}: recorded for {len(ids)} statements of the group", ids)

    # ------------------------------------------------------------------ progress
    def progress(self) -> dict:
        """Counts over the claims in the queue: total, done, and one count per verdict."""
        counts = {v: 0 for v in VERDICTS}
        for c, v in self.verdicts.items():  # the reviewed claims: far fewer than the queue
            if v and c in self._in_queue:
                counts[v] += 1
        done = sum(counts.values())
        return {"total": len(self.queue), "done": done, "position": self.position + 1 if self.queue else 0, **counts}
