"""Words a text uses that its source never does: what a summary or a rewrite adds to its source.

A sentence's content words are its nouns, verbs and adjectives outside names, numbers and dates
(those are read as values, :mod:`factbench.findings.source`), stop words and placeholders. A word is
in the source when the source has it in any form: as written, as its dictionary form (the lemma:
"went" is "go"), or sharing its first five letters with a source word or lemma ("retreat",
"retreating"; "Britain", "British"). A sentence that takes one content word in five or more from
nowhere in the source says something its source does not ("a cat has been found dead after a
chemical spill" read against an article that names no chemical and no spill).

>>> from factbench.findings.syntax import parse
>>> known = source_vocabulary(parse(["The glaciers of the Alps are retreating fast, a study found."]))
>>> [w for w, _ in novel_words(parse(["A study found that the glaciers retreat."])[0], known)]
[]
>>> [w for w, _ in novel_words(parse(["A study found that the glaciers collapsed into the lake."])[0], known)]
['collapsed', 'lake']
"""

from __future__ import annotations

import re
from typing import Iterable

from .lexicon import CONTEXT_STOP_WORDS, STEM
from .names import _PLACEHOLDER

#: the kind of flag (``schema.TABLES["flags"]``) a sentence with such words gets
KIND = "wording"
#: parts of speech that carry what a sentence says
CONTENT_POS = frozenset({"NOUN", "VERB", "ADJ"})
#: the share of a sentence's content words the source must lack before the sentence is flagged
MIN_SHARE = 0.2
#: a sentence needs this many content words to be read at all
MIN_WORDS = 3
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]")


def source_vocabulary(docs: Iterable) -> frozenset:
    """Every word of the source's parses, as written (lower case) and as its lemma, and the first
    five letters of each (stored as "retre…", so that a prefix never equals a word): what
    :func:`novel_words` looks words up in."""
    words = set()
    for doc in docs:
        if doc is None:
            continue
        for t in doc:
            for w in (t.lower_, t.lemma_.lower()):
                words.add(w)
                if len(w) >= STEM:
                    words.add(w[:STEM] + "…")
    return frozenset(words)


def _known(word: str, vocabulary: frozenset) -> bool:
    return word in vocabulary or (len(word) >= STEM and word[:STEM] + "…" in vocabulary)


def content_words(doc) -> list:
    """The tokens of a parsed sentence that carry what it says (see the module's docstring)."""
    out = []
    for t in doc:
        if t.pos_ not in CONTENT_POS or t.ent_type_ or t.like_num or len(t.text) < 3:
            continue
        if t.lower_ in CONTEXT_STOP_WORDS or _PLACEHOLDER.search(t.text) or not _WORD.fullmatch(t.text):
            continue
        out.append(t)
    return out


def novel_words(doc, vocabulary: frozenset, words: list | None = None) -> list[tuple[str, str]]:
    """(as written, lemma) of the content words of ``doc`` (or of ``words``, its content words
    already found) that the source has in no form, each lemma once."""
    out = {}
    for t in content_words(doc) if words is None else words:
        if not (_known(t.lower_, vocabulary) or _known(t.lemma_.lower(), vocabulary)):
            out.setdefault(t.lemma_.lower(), t.text)
    return [(w, lem) for lem, w in out.items()]


def unsupported(doc, vocabulary: frozenset, *, min_share: float = MIN_SHARE,
                min_words: int = MIN_WORDS) -> tuple[list[tuple[str, str]], int]:
    """The novel words of a sentence when they make up ``min_share`` of its content words or more
    (else []), and how many different content words (lemmas) it has."""
    if doc is None:
        return [], 0
    words = content_words(doc)
    n = len({t.lemma_.lower() for t in words})
    new = novel_words(doc, vocabulary, words)
    if n < min_words or not new or len(new) < min_share * n:
        return [], n
    return new, n
