"""HTML for the review panel, rendered to strings (the widget layer only displays them).

Every piece of article text passes through :func:`html.escape`; highlights are built from character
offsets, like spaCy's displacy, so markup never comes from the text itself.

>>> highlight("<b>Kyiv</b> said 84", [(17, 19, "num")])
'&lt;b&gt;Kyiv&lt;/b&gt; said <span class="fb-num">84</span>'
"""

from __future__ import annotations

import difflib
import html
import re

from ..claims.values import find_dates, find_durations, find_numbers

CSS = """
<style>
.fb-panel{font-family:var(--jp-content-font-family,system-ui,sans-serif);font-size:14px;line-height:1.5;max-width:1100px}
.fb-head{color:#555;font-size:12px;margin-bottom:4px}.fb-head b{color:#111}
.fb-context{padding:8px 10px;background:#fafafa;border-left:3px solid #ccc;margin:6px 0}
.fb-claim{background:#fff3b0;padding:1px 2px;border-radius:2px}
.fb-date,.fb-num,.fb-dur{border-bottom:2px solid #1f77b4;font-weight:600}
.fb-ent{border-bottom:1px dotted #777}
.fb-badge{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px;margin-right:6px;color:#fff}
.fb-named{background:#2ca02c}.fb-anonymous{background:#ff7f0e}.fb-none{background:#d62728}
.fb-hint{background:#eef;padding:4px 8px;border-radius:4px;margin:6px 0;font-size:13px}
.fb-matches{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:8px;margin-top:6px}
.fb-match{border:1px solid #ddd;border-radius:4px;padding:6px 8px;font-size:13px}
.fb-diff{background:#ffd6d6}.fb-flag{color:#b00;font-size:12px;margin-top:4px}
.fb-flag.fb-dismissed{color:#888;text-decoration:line-through}.fb-why{color:#555;font-size:11px}
.fb-flagval{background:#ffd6d6;font-weight:600}
.fb-progress{height:8px;background:#eee;border-radius:4px;overflow:hidden;display:flex;margin:4px 0}
.fb-progress span{display:block;height:100%}
.fb-supported{background:#2ca02c}.fb-contradicted{background:#d62728}.fb-unsourced{background:#ff7f0e}.fb-skip{background:#999}
.fb-verdict{font-weight:600}
</style>
"""

esc = html.escape


def highlight(text: str, spans: list[tuple[int, int, str]]) -> str:
    """Escaped ``text`` with non-overlapping ``(start, end, css-class)`` spans wrapped in <span>."""
    out, pos = [], 0
    for s, e, cls in sorted(spans):
        if s < pos or e <= s or e > len(text):
            continue
        out.append(esc(text[pos:s]))
        out.append(f'<span class="fb-{esc(cls)}">{esc(text[s:e])}</span>')
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def value_spans(text: str) -> list[tuple[int, int, str]]:
    """Dates, durations and numbers in a sentence, as highlight spans."""
    dates = find_dates(text)
    durs = find_durations(text)
    taken = [(d.start, d.end) for d in dates] + [(d.start, d.end) for d in durs]
    spans = [(d.start, d.end, "date") for d in dates] + [(d.start, d.end, "dur") for d in durs]
    spans += [(q.start, q.end, "num") for q in find_numbers(text, skip=taken)]
    return spans


def safe_url(url: str) -> str:
    """An http(s) link, escaped; anything else (javascript:, data:) as plain escaped text."""
    url = str(url or "").strip()
    if re.match(r"^https?://", url, re.I):
        return f'<a href="{esc(url, quote=True)}" target="_blank" rel="noopener noreferrer">{esc(url)}</a>'
    return esc(url)


def _context(article_text: str, start: int, end: int, entities) -> str:
    """The paragraph around the claim, the claim marked, its entities and values highlighted."""
    para_start = article_text.rfind("\n\n", 0, start)
    para_start = 0 if para_start < 0 else para_start + 2
    para_end = article_text.find("\n\n", end)
    para_end = len(article_text) if para_end < 0 else para_end
    # at most ~600 characters of context on each side
    lo = max(para_start, start - 600)
    hi = min(para_end, end + 600)
    claim = article_text[start:end]
    spans = value_spans(claim)
    taken = [(s, e) for s, e, _ in spans]
    for ent in entities if isinstance(entities, (list, tuple)) else []:
        s, e = int(ent["start"]) - start, int(ent["end"]) - start
        if 0 <= s < e <= len(claim) and not any(s < b and a < e for a, b in taken):
            spans.append((s, e, "ent"))
    before = ("…" if lo > para_start else "") + esc(article_text[lo:start])
    after = esc(article_text[end:hi]) + ("…" if hi < para_end else "")
    return f'{before}<span class="fb-claim">{highlight(claim, spans)}</span>{after}'


def diff_words(base: str, other: str) -> str:
    """``other`` escaped, with the words that ``base`` does not have marked."""
    a = re.findall(r"\S+", base)
    b = re.findall(r"\S+", other)
    norm = [re.sub(r"\W", "", w).lower() for w in a]
    normb = [re.sub(r"\W", "", w).lower() for w in b]
    sm = difflib.SequenceMatcher(a=norm, b=normb, autojunk=False)
    out = []
    for op, _, _, j1, j2 in sm.get_opcodes():
        chunk = esc(" ".join(b[j1:j2]))
        out.append(chunk if op == "equal" else f'<span class="fb-diff">{chunk}</span>')
    return " ".join(x for x in out if x)


def render_claim(view: dict, *, blind: bool = False) -> str:
    """The card of one claim. ``view`` comes from :func:`claim_view`."""
    if view is None:
        return CSS + '<div class="fb-panel"><p>No claims to review with these filters.</p></div>'
    c = view["claim"]
    a = view.get("article") or {}
    head = [f'<b>{esc(str(c.get("outlet", "")))}</b>']
    if a.get("title"):
        head.append(esc(str(a["title"])))
    if a.get("published"):
        head.append(esc(str(a["published"])))
    if a.get("url"):
        head.append(safe_url(a["url"]))
    if not blind and "checkworthiness" in c:
        head.append(f'check-worthiness {float(c["checkworthiness"]):.2f}')
    if c.get("event_id"):
        head.append(f'event {esc(str(c["event_id"]))}' + (f' ({esc(str(view["event_label"]))})'
                                                         if view.get("event_label") else ""))
    sourcing = str(c.get("sourcing", "") or "none")
    who = esc(str(c.get("speaker") or "no one named"))
    attrib = (f'<span class="fb-badge fb-{esc(sourcing)}">{esc(sourcing)}</span>attributed to <b>{who}</b>'
              + (' · <i>hedged</i>' if c.get("hedged") else ""))
    if a.get("text") and "start" in c:
        context = _context(str(a["text"]), int(c["start"]), int(c["end"]), c.get("entities"))
    else:
        text = str(c.get("text", ""))
        context = f'<span class="fb-claim">{highlight(text, value_spans(text))}</span>'
    parts = [CSS, '<div class="fb-panel">', f'<div class="fb-head">{" · ".join(head)}</div>',
             f'<div class="fb-context">{context}</div>', f'<div>{attrib}</div>']
    if view.get("verdict"):
        parts.append(f'<div>your verdict: <span class="fb-verdict">{esc(view["verdict"])}</span></div>')
    for text, score in view.get("checked", []):
        parts.append(f'<div class="fb-hint">checked before: {esc(text)}'
                     + ("" if blind else f' <span title="matching score">({score:.0f})</span>') + '</div>')
    if view.get("hint") and not blind:
        parts.append(f'<div class="fb-hint">hint: <b>{esc(view["hint"])}</b> — {esc(view.get("reason", ""))}</div>')
    matches = view.get("matches") or []
    if matches:
        cards = []
        for m in matches:
            score = "" if blind or m.get("score") is None else f' · score {float(m["score"]):.0f}'
            flags = "".join(render_flag(f, blind=blind) for f in m.get("flags", []))
            cards.append(f'<div class="fb-match"><div class="fb-head"><b>{esc(m["outlet"])}</b>{score}</div>'
                         f'{diff_words(str(c.get("text", "")), m["text"])}{flags}</div>')
        parts.append(f'<div><b>Same statement elsewhere</b> ({len(matches)}):</div><div class="fb-matches">{"".join(cards)}</div>')
    own = view.get("own_flags") or []
    for f in own:
        parts.append(f'<div class="fb-flag">{esc(f["kind"])}: {esc(f["explanation"])}</div>')
    parts.append("</div>")
    return "".join(parts)


def render_flag(f: dict, *, blind: bool = False) -> str:
    """One discrepancy as the card shows it: both values as written and normalised, why they cannot
    both hold, the confidence and the flag's id (for dismissing it)."""
    mine, theirs = esc(str(f["mine"])), esc(str(f["theirs"]))
    if f.get("mine_norm") and f["mine_norm"] != f["mine"]:
        mine += f' <span class="fb-why">({esc(str(f["mine_norm"]))})</span>'
    if f.get("theirs_norm") and f["theirs_norm"] != f["theirs"]:
        theirs += f' <span class="fb-why">({esc(str(f["theirs_norm"]))})</span>'
    conf = "" if blind or f.get("confidence") in (None, "") else f' · confidence {float(f["confidence"]):.2f}'
    cls = "fb-flag fb-dismissed" if f.get("dismissed") else "fb-flag"
    state = " · dismissed" if f.get("dismissed") else ""
    why = f'<div class="fb-why">{esc(str(f["explanation"]))}{conf} · flag {esc(str(f.get("flag_id", "")))}{state}</div>' \
        if f.get("explanation") else ""
    return (f'<div class="{cls}">{esc(str(f["kind"]))}: <span class="fb-flagval">{mine}</span> here, '
            f'<span class="fb-flagval">{theirs}</span> there{why}</div>')


def render_progress(p: dict) -> str:
    total = max(1, p["total"])
    bars = "".join(f'<span class="fb-{v}" style="width:{100 * p[v] / total:.2f}%" title="{v}: {p[v]}"></span>'
                   for v in ("supported", "contradicted", "unsourced", "skip"))
    counts = " · ".join(f"{v} {p[v]}" for v in ("supported", "contradicted", "unsourced", "skip"))
    return (f'<div class="fb-panel"><div class="fb-progress">{bars}</div>'
            f'<div class="fb-head">claim {p["position"]} of {p["total"]} · reviewed {p["done"]} · {counts}</div></div>')


def _seen_from(flag: dict, cid: str, dismissed: set | frozenset = frozenset()) -> dict:
    """A discrepancy as the card shows it: this claim's value ("mine") and the other statement's."""
    side, other = ("l", "r") if flag["claim_id_l"] == cid else ("r", "l")
    return {"kind": flag["kind"], "mine": flag[f"value_{side}"], "theirs": flag[f"value_{other}"],
            "mine_norm": flag.get(f"norm_{side}", ""), "theirs_norm": flag.get(f"norm_{other}", ""),
            "explanation": flag.get("explanation", ""), "confidence": flag.get("confidence"),
            "flag_id": flag.get("flag_id", ""), "dismissed": str(flag.get("flag_id", "")) in dismissed,
            "other_text": flag.get(f"text_{other}", "")}


def claim_view(session) -> dict | None:
    """Everything the card shows about the session's current claim (pure data)."""
    cid = session.current_id
    if cid is None:
        return None
    claim = session.current()
    article = {}
    if session.index.articles is not None and claim["article_id"] in session.index.articles.index:
        article = session.index.articles.loc[claim["article_id"]].to_dict()
    matches = []
    seen = set()
    flag_index = session.index.flags_of
    others = list(session.index.pairs_of.get(cid, [])) + [(m, None) for m in session.group_members(cid) if m != cid]
    for other, score in others:
        if other in seen or other not in session.index.position:
            continue
        seen.add(other)
        row = session.claims.iloc[session.index.position[other]]
        fl = []
        for f in flag_index.get(cid, []):
            if {f["claim_id_l"], f["claim_id_r"]} == {cid, other}:
                fl.append(_seen_from(f, cid, session.index.dismissed))
        matches.append({"claim_id": other, "outlet": str(row["outlet"]), "text": str(row["text"]), "score": score,
                        "flags": fl})
    # statements that disagree with this one but are not matched (fact slots)
    for f in flag_index.get(cid, []):
        other = f["claim_id_r"] if f["claim_id_l"] == cid else f["claim_id_l"]
        if other and other not in seen:
            seen.add(other)
            seen_f = _seen_from(f, cid, session.index.dismissed)
            if other in session.index.position:
                row = session.claims.iloc[session.index.position[other]]
                outlet, text = str(row["outlet"]), str(row["text"])
            else:  # a sentence under the claim threshold: the flag carries its words
                outlet, text = "another statement", str(seen_f["other_text"])
            matches.append({"claim_id": other, "outlet": outlet, "text": text, "score": None, "flags": [seen_f]})
    own = [f for f in flag_index.get(cid, []) if not f["claim_id_r"]]
    hint, reason = session.index.hints.get(cid, ("", ""))
    label = session.event_labels.get(str(claim.get("event_id", ""))) if hasattr(session, "event_labels") else None
    return {"claim": claim, "article": article, "matches": matches, "own_flags": own, "event_label": label,
            "verdict": session.verdicts.get(cid), "hint": hint, "reason": reason,
            "checked": session.index.checked_of.get(cid, [])}
