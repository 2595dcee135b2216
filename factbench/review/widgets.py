"""The review panel: ipywidgets drawing a :class:`~factbench.session.ReviewSession`.

The only module that imports ipywidgets. It renders HTML strings from :mod:`factbench.review.render` and
forwards clicks and keys to the session; all rules live in the session.

Keys (click the panel first): 1 supported, 2 contradicted, 3 unsourced, s skip, u undo,
j next, k previous, g toggles "apply to the whole group".
"""

from __future__ import annotations

import anywidget
import ipywidgets as w
import traitlets

from ..findings.hints import hints as make_hints
from ..review.render import claim_view, render_claim, render_progress
from ..review.session import ORDERS, ReviewSession
from ..storage.store import VERDICTS, StoreError, VerdictStore

KEYS = {"1": "supported", "2": "contradicted", "3": "unsourced", "s": "skip", "u": "undo", "j": "next",
        "k": "prev", "g": "group"}

_KEYS_ESM = r"""
function render({ model, el }) {
  el.classList.add("fb-keys");
  el.innerHTML = '<span style="font-size:12px;color:#666">Keys (click the panel first): '
    + '<b>1</b> supported · <b>2</b> contradicted · <b>3</b> unsourced · <b>s</b> skip · <b>u</b> undo · '
    + '<b>j</b>/<b>k</b> next/previous · <b>g</b> whole group</span>';
  const keys = new Set(["1", "2", "3", "s", "u", "j", "k", "g"]);
  let root = null;
  const onKey = (ev) => {
    const t = ev.target;
    if (!t || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const tag = (t.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || t.isContentEditable) return;
    const k = (ev.key || "").toLowerCase();
    if (!keys.has(k)) return;
    ev.preventDefault();
    ev.stopPropagation();
    model.send({ key: k, claim_id: model.get("claim_id") });
  };
  const attach = (tries) => {
    root = el.closest(".fb-review");
    if (!root) { if (tries > 0) setTimeout(() => attach(tries - 1), 100); return; }
    if (!root.hasAttribute("tabindex")) root.setAttribute("tabindex", "0");
    root.addEventListener("keydown", onKey);
    root.addEventListener("click", (ev) => {
      const tag = ((ev.target && ev.target.tagName) || "").toLowerCase();
      if (tag !== "input" && tag !== "textarea" && tag !== "select") root.focus({ preventScroll: true });
    });
  };
  attach(50);
  return () => { if (root) root.removeEventListener("keydown", onKey); };
}
export default { render };
"""


def button_label(label: str, key: str) -> str:
    """A button's text with its keyboard key shown as a key, not as a count: "Contradicted · key 2".

    >>> button_label("Contradicted", "2")
    'Contradicted · key 2'
    """
    return f"{label} · key {key}"


class KeyListener(anywidget.AnyWidget):
    """Sends the keys pressed inside the review panel, with the claim id shown at that moment."""

    _esm = _KEYS_ESM
    claim_id = traitlets.Unicode("").tag(sync=True)


class ReviewPanel(w.VBox):
    """Review claims one by one; every verdict is written to ``store`` at once.

    ``corpus``: a Corpus (or claims DataFrame); ``store``: a :class:`VerdictStore` (required: the
    panel never opens one itself); ``pairs``/``groups``/``flags``: from ``fb.match``/``fb.group``/
    ``fb.discrepancies``, optional; ``order``: "checkworthiness", "group" or "document";
    ``filter``: e.g. ``{"outlets": ["A"], "state": "unreviewed", "has_discrepancy": True}``;
    ``blind``: hide scores and hints; ``reference``: a table of earlier fact-checks (see
    ``fb.match(..., against=)``): each claim shows "checked before: …" with its best matches."""

    def __init__(self, corpus, *, store: VerdictStore, reviewer: str, pairs=None, groups=None, flags=None,
                 order: str = "checkworthiness", filter=None, blind: bool = False, min_dwell: float = 0.35,
                 reference=None, events=None):
        checked = None
        if reference is not None:
            from ..matching.match import match

            checked = match(corpus, against=reference, progress=False)
        self.session = ReviewSession(corpus, store=store, reviewer=reviewer, pairs=pairs, groups=groups,
                                     flags=flags, order=order, filter=filter, blind=blind, min_dwell=min_dwell,
                                     hints=None if blind else make_hints(corpus, pairs, groups, flags),
                                     checked=checked, events=events)
        s = self.session
        self.progress = w.HTML()
        self.card = w.HTML()
        self.status = w.HTML()
        self.note = w.Text(placeholder="note (optional)", description="Note", layout=w.Layout(width="60%"))
        self.evidence = w.Text(placeholder="https://…", description="Evidence", layout=w.Layout(width="60%"))
        self.buttons = {
            "supported": w.Button(description=button_label("Supported", "1"), button_style="success", icon="check",
                                  tooltip="Supported (key 1)"),
            "contradicted": w.Button(description=button_label("Contradicted", "2"), button_style="danger",
                                     icon="times", tooltip="Contradicted (key 2)"),
            "unsourced": w.Button(description=button_label("Unsourced", "3"), button_style="warning", icon="question",
                                  tooltip="Unsourced (key 3)"),
            "skip": w.Button(description=button_label("Skip", "s"), tooltip="Skip (key s)"),
        }
        self.undo_button = w.Button(description=button_label("Undo", "u"), icon="undo", tooltip="Undo (key u)")
        self.prev_button = w.Button(description="◀ " + button_label("Prev", "k"), tooltip="Previous claim (key k)")
        self.next_button = w.Button(description=button_label("Next", "j") + " ▶", tooltip="Next claim (key j)")
        self.whole_group = w.Checkbox(value=False, description="apply to the whole group (g)", indent=False)
        # a flag the reviewer judges wrong: dismissed with a row in the verdict log
        self.flag_select = w.Dropdown(options=[], description="Flag", layout=w.Layout(width="60%"))
        self.dismiss_button = w.Button(description="Dismiss flag", icon="ban")
        self.dismiss_button.on_click(lambda _b: self.dismiss_flag())
        for v, b in self.buttons.items():
            b.on_click(lambda _b, v=v: self.decide(v))
        self.undo_button.on_click(lambda _b: self.undo())
        self.prev_button.on_click(lambda _b: self._move(s.prev))
        self.next_button.on_click(lambda _b: self._move(s.next))
        outlets = sorted(s.claims["outlet"].astype(str).unique())
        self.outlet_filter = w.Dropdown(options=[("all outlets", "")] + [(o, o) for o in outlets], description="Outlet")
        self.state_filter = w.Dropdown(options=["all", "unreviewed", "reviewed", *VERDICTS], value=s.filter.state,
                                       description="Show")
        self.flag_filter = w.Dropdown(options=[("any", "any"), ("with discrepancy", "with"), ("without", "without")],
                                      value={None: "any", True: "with", False: "without"}[s.filter.has_discrepancy],
                                      description="Discrepancy")
        self.order_select = w.Dropdown(options=list(ORDERS), value=s.order, description="Order")
        for widget in (self.outlet_filter, self.state_filter, self.flag_filter):
            widget.observe(self._filters_changed, names="value")
        self.order_select.observe(lambda ch: (s.set_order(ch["new"]), self.refresh()), names="value")
        self.key_listener = KeyListener()
        self.key_listener.on_msg(self._on_key)
        super().__init__([
            self.progress,
            w.HBox([self.outlet_filter, self.state_filter, self.flag_filter, self.order_select]),
            self.card, self.note, self.evidence,
            w.HBox([*self.buttons.values(), self.whole_group]),
            w.HBox([self.prev_button, self.next_button, self.undo_button]),
            w.HBox([self.flag_select, self.dismiss_button]),
            self.status, self.key_listener,
        ])
        self.add_class("fb-review")
        self._listeners = []
        self.refresh()

    def on_change(self, callback) -> None:
        """Call ``callback()`` after every verdict or undo (e.g. to keep an exported CSV current)."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for cb in self._listeners:
            try:
                cb()
            except Exception as e:  # a failing export must not lose the verdict (already stored)
                self._say(f"verdict stored; on_change callback failed: {type(e).__name__}: {e}")

    # ------------------------------------------------------------------ actions
    def decide(self, verdict: str, claim_id: str | None = None) -> None:
        """Record ``verdict`` for the current claim (or its whole group when the box is ticked)."""
        s = self.session
        try:
            if self.whole_group.value and verdict != "skip":
                if claim_id is not None and claim_id != s.current_id:
                    self._say("ignored: the key was for another claim")
                    return
                out = s.apply_to_group(verdict, self.note.value, self.evidence.value)
            else:
                out = s.submit(verdict, self.note.value, self.evidence.value, claim_id=claim_id)
        except (StoreError, ValueError) as e:
            # nothing was stored: the claim, the note and the evidence stay on screen to try again
            self._say(f"NOT SAVED — {verdict} was not recorded: {e}. The note and evidence are kept; try again.",
                      error=True)
            return
        if out.ok:
            self.note.value = ""
            self.evidence.value = ""
        self.refresh(out.message)
        if out.ok:
            self._changed()

    def dismiss_flag(self, flag_id: str | None = None) -> None:
        """Dismiss the chosen flag of the current claim (a "dismissed" row in the verdict log)."""
        fid = flag_id or self.flag_select.value
        if not fid:
            self.refresh("no flag to dismiss")
            return
        out = self.session.dismiss_flag(fid, self.note.value)
        if out.ok:
            self.note.value = ""
        self.refresh(out.message)
        if out.ok:
            self._changed()

    def undo(self) -> None:
        try:
            c = self.session.undo()
        except StoreError as e:
            self._say(f"NOT UNDONE: {e}", error=True)
            return
        self.refresh("undone" if c else "nothing to undo")
        if c:
            self._changed()

    def _move(self, fn) -> None:
        fn()
        self.refresh()

    def _filters_changed(self, _change=None) -> None:
        o = self.outlet_filter.value
        self.session.set_filter(outlets=(o,) if o else (), state=self.state_filter.value,
                                has_discrepancy={"any": None, "with": True, "without": False}[self.flag_filter.value])
        self.refresh()

    def _on_key(self, _widget, content, _buffers) -> None:
        key = content.get("key")
        shown = content.get("claim_id") or None
        action = KEYS.get(key)
        if action in VERDICTS:
            self.decide(action, claim_id=shown)
        elif action == "undo":
            self.undo()
        elif action == "next":
            self._move(self.session.next)
        elif action == "prev":
            self._move(self.session.prev)
        elif action == "group":
            self.whole_group.value = not self.whole_group.value

    # ------------------------------------------------------------------ drawing
    def _say(self, message: str, *, error: bool = False) -> None:
        import html

        style = "font-size:13px;color:#b00020;font-weight:bold" if error else "font-size:12px;color:#555"
        self.status.value = f'<span class="fb-status" style="{style}">{html.escape(message)}</span>' if message else ""

    def refresh(self, message: str = "") -> None:
        s = self.session
        self.card.value = render_claim(claim_view(s), blind=s.blind)
        self.progress.value = render_progress(s.progress())
        self.key_listener.claim_id = s.current_id or ""
        live = s.index.live_flags(s.current_id) if s.current_id else []
        self.flag_select.options = [(f"{f['kind']}: {f['value_l']} vs {f['value_r']}", str(f.get("flag_id", "")))
                                    for f in live if f.get("flag_id")]
        self.flag_select.layout.display = "" if live else "none"
        self.dismiss_button.layout.display = "" if live else "none"
        self._say(message)
