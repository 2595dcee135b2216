"""Per-sentence analysis at parse time: check-worthiness scores and facts (numbers, dates, who says so).

:func:`analyse` is what :func:`factbench.ingest.parse.parse_texts` runs on each freshly parsed
text; its results are cached with the parse under :data:`ANALYSIS_VERSION`.

>>> text = "Russia and Ukraine swapped 84 prisoners on June 19, the ministry said."
>>> scores, facts = analyse(text, [(0, len(text))], [], 2025)
>>> facts[0][:4]
[[84.0], ['2025-06-19'], 'the ministry', 'named']
"""

from __future__ import annotations

import functools
from typing import Sequence

from ..ingest.text import text_key
import re

from .attribution import _HEDGE, Attribution, _quoted_mask, attribution, from_source, unnamed_report
from .checkworthiness import FEATURES_VERSION, feature_matrix, score_texts
from .lexicon import ANONYMOUS_HEADS, PARSE_WORDS
from .values import find_dates, find_durations, find_numbers

FACTS_VERSION = "f6"
#: names the analysis in the parse cache's key: a change to scores or facts re-parses
ANALYSIS_VERSION = f"{FEATURES_VERSION}\x1f{FACTS_VERSION}"


# the plainest attribution, decided without a parse: a short subject opening the sentence (no comma,
# no relative clause), then a speech verb, no quotation marks and no second speech verb
# ("The Red Cross said on Friday that …", "A source within the group told reporters …")
_PLAIN = re.compile(r"^(?!(?:In|On|At|After|Before|During|While|When|If|As|But|And|Since|Although|Though|For|"
                    r"From|With|Without|By|To|Of|Over|Under|According|Asked|Speaking)\b)"
                    r"(?:(?!(?i:who|which|that|whose|not|never|it|there|this|these|those|he|she|they|we|i|you)\b)[\w.’'-]+\s+){1,7}(?:has\s+|have\s+|had\s+)?"
                    r"(?:said|says|told|announced|confirmed|reported|stated|denied|wrote|tweeted|posted)\b")


_PLAIN_VERB = re.compile(r"\b(?:said|says|told|announced|confirmed|reported|stated|denied|wrote|tweeted|posted)\b")
_QUOTE_MARK = re.compile(r"[\"“”«»]")
_WORD = re.compile(r"[a-z]+")
_TAIL = re.compile(r"[\"“”«»]|\baccording\s+to\b|\bciting\b|\bcited\b|"
                   # a speech tag later ("Mr. Cohen said he lied …, prosecutors said."): whose word is it?
                   r"[,;—–]\s+(?:[\w.’'-]+\s+){1,6}(?:said|says|say|told|added|wrote|stated|reported)\b", re.I)


def speechy(sentence: str, start: int = 0) -> bool:
    """Whether ``sentence`` (from ``start``) has a quotation mark or a speech or cognition word.

    >>> speechy("Prices rose 3 percent."), speechy("Prices rose, Obama said."), speechy("“We won.”")
    (False, True, True)
    """
    return bool(_QUOTE_MARK.search(sentence, start)) or not PARSE_WORDS.isdisjoint(
        _WORD.findall(sentence.lower(), start))


@functools.lru_cache(maxsize=8192)
def _plain(sentence: str) -> bool:
    """The plainest shape (see ``_PLAIN``); asked up to three times per sentence, so remembered."""
    if not _PLAIN_VERB.search(sentence, 0, 160):
        return False
    m = _PLAIN.match(sentence)
    # after "X said", only a quotation or a source named later ("…, according to Y") could change who the
    # sentence rests on; other speech words there ("the release of", "an air attack") do not
    return bool(m) and not _TAIL.search(sentence, m.end())


#: a person's name modifying the subject: "The Obama administration", "Trump's lawyer"
_PERSONS_BODY = re.compile(r"[’']|\s+(?:administration|campaign|team|office|staff|family|government|camp|aides?|"
                           r"advisers?|spokes\w+|lawyers?|attorneys?|allies|associates)\b")


def _plain_attribution(sentence: str, sent_ents: list) -> Attribution:
    """Attribution of a sentence of the plainest shape: the name the entity recogniser found in the
    opening words, else those words."""
    att = attribution(sentence, sent_ents)
    end = _PLAIN.match(sentence).end()
    words = re.sub(r"\s+(?:has|have|had)$", "", sentence[:end].rsplit(None, 1)[0]).split()
    while len(words) > 1 and (words[-1].lower() in ("also", "later", "then", "too", "again", "previously")
                              or words[-1].endswith("ly") and words[-1][:1].islower()):
        words.pop()  # "Some also said": the subject is "Some"
    if words and words[-1].lower() in ANONYMOUS_HEADS and words[0].lower() != "the" and not words[0].endswith(("'s", "’s")) \
            and not (words[-1].lower().startswith("spokes") and any(e[3] <= end for e in sent_ents)):
        # "A former senior NSA official confirmed": an unnamed person, whatever body it belongs to
        # ("a Microsoft spokesperson" speaks for the company: named)
        return Attribution(" ".join(words), "anonymous", att.quote, att.hedged)
    verb_at = len(re.sub(r"\s+(?:has|have|had)$", "", sentence[:end].rsplit(None, 1)[0]))
    # the name heads the subject ("The Red Cross said"), not a modifier of it ("The Vermont senator said":
    # the senator, resolved by title in sentence_facts; "A Microsoft spokesperson said": that phrase)
    names = [e for e in sent_ents if e[3] <= end and e[1] in ("PERSON", "ORG", "GPE", "NORP", "FAC")
             and (re.fullmatch(r"[\s,]*", sentence[e[3]:verb_at])
                  # a person may be followed by an apposition or a party ("Josh Earnest, the press secretary,"),
                  # but not modify the subject ("The Obama administration", "The Clinton campaign")
                  or e[1] == "PERSON" and not _PERSONS_BODY.match(sentence[e[3]:verb_at]))]
    persons = [e for e in names if e[1] == "PERSON"]
    if names and att.sourcing == "named":
        # "Speaker John A. Boehner of Ohio said": the person, not the place
        best = (persons or names)[-1]
        return Attribution(re.sub(r"^the\s+", "", best[0], flags=re.I), "named", att.quote, att.hedged)
    return att


def needs_parse(sentence: str) -> bool:
    """Whether attribution needs the sentence's dependency parse: it has a quote or a speech verb,
    and is not of the plainest shape (a name, then "said", and nothing else to attribute).

    >>> needs_parse("Prices rose 3 percent."), needs_parse("Prices rose, Obama said.")
    (False, True)
    >>> needs_parse("The Red Cross said on Friday that 84 prisoners were exchanged.")
    False
    """
    return speechy(sentence) and not _plain(sentence)


def analyse(text: str, spans: Sequence[tuple[int, int]], ents: Sequence[tuple[int, int, str]],
            year: int | None = None, deps: Sequence | None = None) -> tuple[list[float], list[list]]:
    """Check-worthiness scores and :func:`sentence_facts` of one article's sentences."""
    if not spans:
        return [], []
    labels = [[lab for s2, e2, lab in ents if s <= s2 and e2 <= e] for s, e in spans]
    texts = [text[s:e] for s, e in spans]
    scores = score_texts(texts, feature_matrix(texts, labels)).round(6).tolist()
    return scores, sentence_facts(text, spans, ents, year, deps)


analyse.needs_parse = needs_parse  # the parse loop runs the dependency parser on these sentences


_ROLE = re.compile(r"^(?:the\s+)?(?:[\w.’'-]+\s+){0,3}?(president|governor|senator|secretary|speaker|mayor|chairman|"
                   r"chairwoman|leader|minister|congressman|congresswoman|judge|general|prosecutor|attorney|"
                   r"lawmaker|candidate|nominee|spokesman|spokeswoman|chief|director|senator)$", re.I)


#: how titles are abbreviated before a name ("Sen. Bernie Sanders", "Gov. Rick Perry")
_TITLE_ABBR = {"senator": r"sen\.", "governor": r"gov\.", "congressman": r"rep\.", "congresswoman": r"rep\.",
               "general": r"gen\.", "secretary": r"sec\."}


def _by_title(phrase: str, text: str, ents: Sequence[tuple[int, int, str]], before: int, people: list[str]) -> str:
    """The person a role phrase ("the president", "the Vermont senator") refers to: the last person
    named before ``before`` with that title, or ""."""
    m = _ROLE.match(phrase)
    if not m:
        return ""
    title = m.group(1).lower()
    # "the president" is not the vice president
    vice = "" if "vice" in phrase.lower() else r"(?<!vice )(?<!vice-)"
    title_rx = rf"{vice}\b(?:{title}|{_TITLE_ABBR.get(title, title)})(?![\w’'])"
    titled = [(text[a:b], text[max(0, a - 40):b + 40]) for a, b, lab in ents if lab == "PERSON" and b <= before
              and text[a:a + 1].isupper() and _titled(text, a, b, title_rx)]
    # "the Vermont senator": the senator named with "Vermont" ("Vermont Sen. Bernie Sanders")
    marks = [w for w in phrase.split()[:-1] if w[:1].isupper() and w.lower() not in ("the", "a", "an")]
    marked = [et for et, near in titled if marks and all(mk in near for mk in marks)]
    if marked or (titled and not marks):
        return _full_name((marked or [et for et, _ in titled])[-1], people)
    return ""


#: a sentence whose subject is a role ("The president first stepped into the fray", "The Idaho congressman,
#: echoing …"): that person is the one the sentence is about
_ROLE_SUBJECT = re.compile(r"^(?:[^,“”\"]{0,40},\s*)?[Tt]he\s+((?:[\w.’'-]+\s+){0,3}(?:" + _ROLE.pattern.rsplit("(", 1)[1]
                           .rstrip("$") + r")(?![\w’'])", re.I)


#: a speech tag after what was said: "…, she said." / "…," he told reporters on Friday.
_SPEECH_TAG = re.compile(r"[,:]\s*[”\"]?\s*(?:he|she)\s+(?:said|says|added|told|wrote|explained|insisted|continued|"
                         r"recalled|noted|argued)\b[^,;]*[.!?]?\s*$", re.I)
_HE = re.compile(r"\b(?:he|his|him|himself)\b", re.I)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.I)


def _gender_marks(text: str, spans: Sequence[tuple[int, int]] = (), ents: Sequence[tuple[int, int, str]] = ()
                  ) -> dict[str, str]:
    """Surnames with a gender the article gives them: an honorific ("Mrs. Clinton" -> f, "Mr. Obama" -> m),
    else the pronouns after the name in a sentence naming no other person ("Leigh Corfman said she …").

    >>> t = "Leigh Corfman said she was 14. Mr. Moore denied it."
    >>> sorted(_gender_marks(t, [(0, 30), (31, 51)], [(0, 13, "PERSON"), (35, 40, "PERSON")]).items())
    [('Corfman', 'f'), ('Moore', 'm')]
    """
    out: dict[str, str] = {}
    for m in re.finditer(r"\b(Mr|Mrs|Ms)\.?\s+([A-Z][\w’'-]+)", text):
        out.setdefault(m.group(2), "m" if m.group(1) == "Mr" else "f")
    votes: dict[str, set[str]] = {}
    for s, e in spans:
        persons = [(a, b) for a, b, lab in ents if lab == "PERSON" and s <= a and b <= e]
        names = {text[a:b].split()[-1] for a, b in persons}
        # one person, opening the sentence (its subject, most likely), and the pronouns of one gender after
        if len(names) != 1 or persons[0][0] - s > 25 or _HE.search(text, s, persons[0][0]) \
                or _SHE.search(text, s, persons[0][0]):
            continue  # "She said Obama had …": the name is not the subject
        after = text[persons[0][1]:e]
        after = re.sub(r"“[^”]*”|\"[^\"]*\"", " ", after)  # not inside quotations
        he, she = bool(_HE.search(after)), bool(_SHE.search(after))
        if he != she:
            votes.setdefault(names.pop(), set()).add("m" if he else "f")
    for name, v in votes.items():
        if len(v) == 1:  # the article never disagrees
            out.setdefault(name, v.pop())
    return out


def _titled(text: str, a: int, b: int, title_rx: str) -> bool:
    """The person named at text[a:b] bears the title: it stands right before the name ("President Barack
    Obama", "Vermont Sen. Bernie Sanders") or in apposition after it ("Eric Holder, the attorney general",
    not "Sarah Huckabee Sanders, traveling with the president")."""
    # only capitalised name words between ("Sen. Bernie", not "in general and the Ferguson")
    if re.search(f"(?i:{title_rx})" + r"(?:\s+[A-Z][\w.’'-]*){0,2}\s+$", text[max(0, a - 40):a]):
        return True
    m = re.match(r"(?:\s*\([^()]{1,15}\))?\s*,\s*(?:(?:the|a|an|The|A|An)\s+|(?=[A-Z]))", text[b:b + 60])
    return bool(m) and bool(re.match(r"(?:[\w.’'-]+\s+){0,4}?" + title_rx, text[b + m.end():b + 60], re.I))


def _full_name(name: str, people: list[str]) -> str:
    """A surname ("Goelman", "Mr. Obama") as the fullest earlier mention of that person."""
    if " for " in name:
        return name  # "spokesman for Bob McCulloch": the spokesman, not McCulloch
    last = name.split()[-1] if name else ""
    for p in reversed(people):
        if p != name and last in p.split()[1:] and len(p) > len(name):
            return p
    return name


_NEXT_MARK = re.compile(r"[“”«»\"]")


def _ends_inside_quote(text: str, mask: list[bool]) -> bool:
    """The sentence leaves a quotation open (its last character is quoted and no closing mark)."""
    return bool(mask) and mask[-1] and text.rstrip()[-1:] not in "”»\""


def sentence_facts(text: str, spans: Sequence[tuple[int, int]], ents: Sequence[tuple[int, int, str]],
                   year: int | None = None, deps: Sequence | None = None) -> list[list]:
    """Per sentence of one article: [numbers, dates, speaker, sourcing, quote, hedged, text key].

    ``deps``: per sentence its dependency parse or None (see :func:`attribution`). A sentence that
    continues a quotation (it begins inside quotation marks, or is all quotation right after a
    quoted sentence) without a source of its own keeps the quotation's speaker; "he said" takes the
    last person named before it, "it said" the last organisation; a surname becomes the fullest
    earlier mention of the name."""
    out: list[list] = []
    people: list[str] = []  # persons named so far (outside quotations), in order
    orgs: list[str] = []
    prev: Attribution | None = None
    prev_open = False  # the previous sentence ended inside a quotation
    open_run = 0  # sentences without quotation marks since a quotation was left open
    parsed = deps is not None and any(d is not None for d in deps)
    deps = list(deps) if deps is not None else [None] * len(spans)
    salient: list[tuple[str, list[str]]] = []  # per sentence: its person speaker, the persons it names
    genders = _gender_marks(text, spans, ents)
    for (s, e), toks in zip(spans, deps):
        stext = text[s:e]
        sent_ents = [(text[a:b], lab, a - s, b - s) for a, b, lab in ents if s <= a and b <= e]
        if toks is None and parsed and not needs_parse(stext):
            # the parser ran on the sentences that needed it: this one has no quote and no speech
            # verb, or is of the plainest shape, which word patterns decide
            frm = "" if _plain(stext) else from_source(stext, sent_ents)
            att = (_plain_attribution(stext, sent_ents) if _plain(stext)
                   else Attribution(frm, "named" if frm else "none", "", bool(_HEDGE.search(stext))))
        elif toks is None and _plain(stext):
            att = _plain_attribution(stext, sent_ents)  # no sentence needed the parser: the same reading
        else:
            att = attribution(stext, sent_ents, toks)
        speaker, sourcing = att.speaker, att.sourcing
        mask = _quoted_mask(stext)
        starts_quoted = bool(mask) and (mask[0] or (stext[:1] in "“«\"" and True))
        low = speaker.lower()
        if not speaker and sourcing == "none" and prev is not None and prev.speaker and (
                prev_open or (starts_quoted and prev.quote)):
            speaker, sourcing = prev.speaker, prev.sourcing
        elif not speaker and sourcing == "none" and prev is not None and stext[:1] in "“«\"" and (
                prev.speaker or salient[-1][1]):
            # a quotation opening the sentence, with no speaker of its own, is the words of the one who
            # spoke or acted in the sentence before ('Vice President Joe Biden voiced his support …' /
            # '"Anybody who thinks …"'; 'Twitter at the time said …' / '"We do not shadow ban.')
            if prev.speaker and prev.sourcing != "none":
                speaker, sourcing = prev.speaker, prev.sourcing
            elif salient[-1][1]:
                speaker, sourcing = salient[-1][1][0], "named"
        elif low in ("he", "she", "him", "her"):
            # the person who spoke last (within three sentences), else the last person named
            # the nearest earlier sentence that names a person: its speaker, else its first person
            # a person named earlier in the same sentence, outside quotations, comes first ("The center's
            # president, Cathi Herrod, has been deriding what she called …")
            pron = next((m.start() for m in re.finditer(rf"\b{re.escape(speaker)}\b", stext)
                         if not (m.start() < len(mask) and mask[m.start()])), -1)
            before = [et for et, lab, a, b in sent_ents if lab == "PERSON" and b <= pron and not (a < len(mask) and mask[a])]
            tag = _SPEECH_TAG.search(stext)
            if tag and tag.start() < pron:
                before = []  # "Moore did take her home, she said.": Moore is in what she said, not the speaker
            want = "f" if low in ("she", "her") else "m"
            fits = lambda p: genders.get(p.split()[-1] if p else "", want) == want  # noqa: E731
            before = [p for p in before if fits(p)]
            cand = before[-1] if before else next(
                (c for sp, ps in reversed(salient[-5:]) for c in ([sp] if sp else []) + ps if c and fits(c)), "")
            speaker = _full_name(cand, people) if cand else speaker
        elif sourcing == "named" and _ROLE.match(speaker):
            # "the president said": the person last named with that title
            # no one named with that title: a definite description ("The presumptive Republican presidential
            # nominee went so far as to say …") is of the person the sentence before was about
            speaker = _by_title(speaker, text, ents, s, people) or (
                (salient[-1][0] or salient[-1][1][0]) if not re.match(r"(?:a|an|one|another|some)\b", speaker, re.I)
                and salient and (salient[-1][0] or salient[-1][1]) else speaker)
        elif low == "it" and orgs:
            speaker = orgs[-1]
        elif low == "they" and prev is not None and prev.speaker and prev.speaker.lower() != "they":
            speaker, sourcing = prev.speaker, prev.sourcing
        elif sourcing == "named" and speaker:
            speaker = _full_name(speaker, people)
        if sourcing == "none" and unnamed_report(stext):
            sourcing = "anonymous"  # "Skype can reportedly be monitored", "Fox News is told"
        for et, lab, a, b in sent_ents:
            if a < len(mask) and mask[a]:
                continue
            if lab == "PERSON":
                people.append(_full_name(et, people) if " " not in et else et)
            elif lab == "ORG":
                orgs.append(et)
        found = [(a, _full_name(et, people)) for et, lab, a, b in sent_ents
                 if lab == "PERSON" and et[:1].isupper() and not (a < len(mask) and mask[a])]
        # persons the recogniser missed: a known surname ("Schiff, in response to his critics, doubled
        # down"), a role as the subject ("The president first stepped into the fray")
        known = {p.split()[-1]: p for p in people if " " in p}
        for m in re.finditer(r"\b[A-Z][\w’'-]+\b", stext):
            if m.group(0) in known and not mask[m.start()] and not any(a <= m.start() < a + len(n) for a, n in found):
                found.append((m.start(), known[m.group(0)]))
        rs = _ROLE_SUBJECT.match(stext)
        if rs:
            who = _by_title("the " + rs.group(1), text, ents, s, people)
            if who:
                found.append((rs.start(1), who))
        sent_people = [n for _, n in sorted(found)]
        salient.append((speaker if sourcing == "named" and speaker in people + sent_people else "", sent_people))
        prev = Attribution(speaker, sourcing, att.quote or ("“" in stext or '"' in stext) and stext, att.hedged)
        if _QUOTE_MARK.search(stext) or not prev_open:
            # a quotation left open goes on only if a closing mark comes before the next opening one ("…
            # with everyone!" never closed: the narration after it is the outlet's)
            nxt = _NEXT_MARK.search(text, e)
            prev_open = _ends_inside_quote(stext, mask) and nxt is not None and nxt.group(0) in "”»\""
            open_run = 0
        else:
            # no quotation marks: a quotation left open goes on when the next mark in the text closes it
            # (its paragraphs need not reopen it), for a few sentences at most
            nxt = _NEXT_MARK.search(text, e)
            open_run += 1
            prev_open = open_run < 4 and nxt is not None and nxt.group(0) in "”»"
        dates = find_dates(stext, year=year)
        durs = find_durations(stext, year=year)
        nums = find_numbers(stext, skip=[(d.start, d.end) for d in dates] + [(d.start, d.end) for d in durs])
        speaker = speaker.replace("’", "'")  # a clean name: "O'Rourke" whatever the apostrophe
        out.append([[q.value for q in nums], [d.iso for d in dates], speaker, sourcing, att.quote, att.hedged,
                    text_key(stext)])
    return out
