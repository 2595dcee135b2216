"""Per-sentence analysis at parse time: check-worthiness scores and facts (numbers, dates, who says so).

:func:`analyse` is what :func:`factbench.ingest.parse.parse_texts` runs on each freshly parsed
text; its results are cached with the parse under :data:`ANALYSIS_VERSION`.

>>> text = "Russia and Ukraine swapped 84 prisoners on June 19, the ministry said."
>>> scores, facts = analyse(text, [(0, len(text))], [], 2025)
>>> facts[0][:4]
[[84.0], ['2025-06-19'], 'the ministry', 'named']
"""

from __future__ import annotations

from typing import Sequence

from ..ingest.text import text_key
from .attribution import Attribution, attribution
from .checkworthiness import FEATURES_VERSION, feature_matrix, score_matrix
from .values import find_dates, find_durations, find_numbers

FACTS_VERSION = "f2"
#: names the analysis in the parse cache's key: a change to scores or facts re-parses
ANALYSIS_VERSION = f"{FEATURES_VERSION}\x1f{FACTS_VERSION}"


def analyse(text: str, spans: Sequence[tuple[int, int]], ents: Sequence[tuple[int, int, str]],
            year: int | None = None) -> tuple[list[float], list[list]]:
    """Check-worthiness scores and :func:`sentence_facts` of one article's sentences."""
    if not spans:
        return [], []
    labels = [[lab for s2, e2, lab in ents if s <= s2 and e2 <= e] for s, e in spans]
    scores = score_matrix(feature_matrix([text[s:e] for s, e in spans], labels)).round(6).tolist()
    return scores, sentence_facts(text, spans, ents, year)


def sentence_facts(text: str, spans: Sequence[tuple[int, int]], ents: Sequence[tuple[int, int, str]],
                   year: int | None = None) -> list[list]:
    """Per sentence of one article: [numbers, dates, speaker, sourcing, quote, hedged, text key].

    A quotation continued from the previous sentence keeps that sentence's speaker, and "he said"
    takes the last person named as a source in the article."""
    out: list[list] = []
    last_named = ""
    prev: tuple[Attribution, int] | None = None
    for s, e in spans:
        stext = text[s:e]
        sent_ents = [(text[a:b], lab, a - s, b - s) for a, b, lab in ents if s <= a and b <= e]
        att = attribution(stext, sent_ents)
        speaker, sourcing = att.speaker, att.sourcing
        same_paragraph = prev is not None and "\n" not in text[prev[1]:s]
        if att.quote and not speaker and same_paragraph and prev[0].quote and prev[0].speaker:
            speaker, sourcing = prev[0].speaker, prev[0].sourcing
        if speaker.lower() in ("he", "she") and last_named:
            speaker = last_named
        person = next((et for et, lab, *_ in sent_ents if lab == "PERSON" and et in speaker), "")
        if sourcing == "named" and person:
            last_named = person
        prev = (Attribution(speaker, sourcing, att.quote, att.hedged), e)
        dates = find_dates(stext, year=year)
        durs = find_durations(stext, year=year)
        nums = find_numbers(stext, skip=[(d.start, d.end) for d in dates] + [(d.start, d.end) for d in durs])
        out.append([[q.value for q in nums], [d.iso for d in dates], speaker, sourcing, att.quote, att.hedged,
                    text_key(stext)])
    return out
