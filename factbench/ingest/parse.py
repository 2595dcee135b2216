"""Sentences and entities of article texts, batched through spaCy and cached on disk.

The cache is an SQLite file keyed by (pipeline version, analysis version, text hash); a re-run of a
notebook reads parses back instead of running the pipeline again. What is computed per sentence
besides the parse (scores, facts) comes from the caller (:mod:`factbench.claims` passes its
analysis in), so this stage knows nothing of claims.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from .nlp import default_pipeline_id, get_nlp, pipeline_version

_OPENERS = "“«\"'‘("


@dataclass
class Parsed:
    """One text's sentences (start, end), entities (start, end, label), and the caller's analysis of
    them: a score and a list of facts per sentence (see :func:`factbench.claims.facts.analyse`)."""

    sents: list[tuple[int, int]]
    ents: list[tuple[int, int, str]]
    scores: list[float]
    facts: list[list]


def default_cache_dir() -> Path:
    env = os.environ.get("FACTBENCH_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "factbench"


class ParseCache:
    """SQLite-backed cache of :class:`Parsed` results (safe to share between processes).

    A cache is only ever a shortcut: a row that is not valid JSON or not a well-formed parse is
    ignored (the text is parsed again and the row replaced), and a cache that is locked by another
    process, read-only or damaged is bypassed with a warning. A parse is never lost to the cache."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 2.0):
        path = Path(path) if path else default_cache_dir() / "parses.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._warned: set[str] = set()
        self._db = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("CREATE TABLE IF NOT EXISTS parse (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        except sqlite3.Error:
            self._db.close()
            raise

    def _warn(self, what: str, detail: str) -> None:
        if what not in self._warned:
            self._warned.add(what)
            warnings.warn(f"parse cache {self.path}: {detail}", RuntimeWarning, stacklevel=3)

    @staticmethod
    def _decode(value) -> Parsed | None:
        """A cached row as :class:`Parsed`, or None when it is not a well-formed parse."""
        try:
            d = json.loads(value)
            sents = [(int(a), int(b)) for a, b in d["s"]]
            ents = [(int(a), int(b), str(lab)) for a, b, lab in d["e"]]
            scores = [float(x) for x in d["c"]]
            facts = d["f"]
            if not isinstance(facts, list) or not (len(sents) == len(scores) == len(facts)):
                return None
            if any(not (0 <= a <= b) for a, b in sents):
                return None
            return Parsed(sents, ents, scores, facts)
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def get_many(self, keys: Sequence[str]) -> dict[str, Parsed]:
        out = {}
        keys = list(keys)
        bad = 0
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                q = f"SELECT key, value FROM parse WHERE key IN ({','.join('?' * len(chunk))})"
                for k, v in self._db.execute(q, chunk):
                    p = self._decode(v)
                    if p is None:
                        bad += 1
                    else:
                        out[k] = p
        except sqlite3.Error as e:
            self._warn("read", f"cannot be read ({e}); parsing without it")
            return {}
        if bad:
            self._warn("bad rows", f"{bad} damaged row(s) ignored; those texts are parsed again")
        return out

    def put_many(self, items: dict[str, Parsed]) -> None:
        rows = [(k, json.dumps({"s": p.sents, "e": p.ents, "c": p.scores, "f": p.facts}, separators=(",", ":")))
                for k, p in items.items()]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO parse VALUES (?, ?)", rows)
        except sqlite3.Error as e:
            self._warn("write", f"cannot be written ({e}); the parses are used but not cached")

    def close(self) -> None:
        self._db.close()


#: analyse(text, sentence spans, entities, year) -> (scores, facts), one of each per sentence
Analyse = Callable[[str, list, list, "int | None"], tuple[list, list]]


def _no_analysis(text, spans, ents, year):
    return [0.0] * len(spans), [[] for _ in spans]


def cache_key(text: str, version: str, year: int | None = None, analysis: str = "") -> str:
    """The cache key of one text's parse (any string, lone surrogates included)."""
    return hashlib.sha1(f"{version}\x1f{analysis}\x1f{year}\x1f{text}".encode("utf-8", "surrogatepass")).hexdigest()


def repair_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fix rule-sentencizer slips: an opening quote left at the end of a sentence, a split inside a
    word ("Caliber.Az"), a split before a lower-case word, and a quotation broken over sentences."""
    out: list[list[int]] = []
    for s, e in spans:
        # strip white space at the edges
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if out:
            ps, pe = out[-1]
            # an opening quote stranded at the end of the previous sentence
            tail = text[ps:pe]
            m = re.search(r"\s([“«\"‘])$", tail)
            if m:
                s = pe = ps + m.start(1)  # the quote opens this sentence
                while pe > ps and text[pe - 1].isspace():
                    pe -= 1
                out[-1][1] = pe
            glued = pe == s  # no space between the two: the split fell inside a word
            prev = text[ps:pe]
            open_quote = prev.count("“") > prev.count("”") or prev.count('"') % 2 == 1
            if (glued and text[s].isalnum()) or text[s].islower() or (open_quote and e - ps < 1200):
                out[-1][1] = e
                continue
        out.append([s, e])
    return [(s, e) for s, e in out if any(ch.isalnum() for ch in text[s:e])]


#: the longest stretch of text given to spaCy at once (its limit is 1,000,000 characters, and memory
#: grows with the length): longer paragraphs are parsed in pieces cut at sentence ends
MAX_PIECE = 100_000
_CUT = re.compile(r"[.!?…][\"'”’»)\]]*\s+|\n")


def pieces(offset: int, text: str, limit: int | None = None) -> list[tuple[int, str]]:
    """``text`` (starting at ``offset``) in pieces of at most ``limit`` characters, cut after a
    sentence end where there is one, else at a space, else anywhere.

    >>> pieces(10, "One. Two. Three.", limit=10)
    [(10, 'One. Two. '), (20, 'Three.')]
    """
    limit = limit or MAX_PIECE
    out = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = None
        for m in _CUT.finditer(window, limit // 2):
            cut = m.end()
        if cut is None:
            sp = window.rfind(" ", limit // 2)
            cut = sp + 1 if sp > 0 else limit
        out.append((offset + start, window[:cut]))
        start += cut
    out.append((offset + start, text[start:]))
    return out


def parse_texts(texts: Sequence[str], *, years: Sequence[int | None] | None = None, nlp=None,
                cache: ParseCache | None = None, progress: bool = True, batch_size: int = 256,
                analyse: Analyse = _no_analysis, analysis_version: str = "") -> list[Parsed]:
    """Parse many texts (paragraphs joined by blank lines); cached ones are read back, not parsed.

    ``years``: the year each text was published (passed on to ``analyse``). ``analyse`` computes
    each sentence's score and facts; ``analysis_version`` names it in the cache key. The spaCy
    pipeline is loaded only when some text is not in the cache."""
    version = pipeline_version(nlp) if nlp is not None else default_pipeline_id()
    years = list(years) if years is not None else [None] * len(texts)
    keys = [cache_key(t, version, y, analysis_version) for t, y in zip(texts, years)]
    have = cache.get_many(set(keys)) if cache else {}
    todo = [i for i, k in enumerate(keys) if k not in have]
    results: dict[int, Parsed] = {}

    # paragraphs of the texts still to parse, with their offsets
    paras: list[tuple[int, int, str]] = []
    for i in todo:
        t = texts[i]
        for m in re.finditer(r"[^\n]+(?:\n(?!\n)[^\n]*)*", t):
            paras.append((i, m.start(), m.group(0)))
    sents: dict[int, list[tuple[int, int]]] = {i: [] for i in todo}
    ents: dict[int, list[tuple[int, int, str]]] = {i: [] for i in todo}
    if paras:
        from tqdm.auto import tqdm

        nlp = nlp or get_nlp()
        limit = max(1000, min(MAX_PIECE, int(getattr(nlp, "max_length", MAX_PIECE) or MAX_PIECE) - 1))
        paras = [(i, o, piece) for i, off, para in paras for o, piece in pieces(off, para, limit)]
        bar = tqdm(total=len(paras), desc="parsing", unit="para", disable=not progress or len(paras) < 200)
        for (i, off, _), doc in zip(paras, nlp.pipe((p for _, _, p in paras), batch_size=batch_size)):
            sents[i].extend((off + s.start_char, off + s.end_char) for s in doc.sents)
            ents[i].extend((off + e.start_char, off + e.end_char, e.label_) for e in doc.ents)
            bar.update(1)
        bar.close()
    fresh: dict[str, Parsed] = {}
    for i in todo:
        t = texts[i]
        spans = repair_sentences(t, sents[i])
        scores, facts = analyse(t, spans, ents[i], years[i])
        p = Parsed(spans, ents[i], scores, facts)
        results[i] = p
        fresh[keys[i]] = p
    if cache and fresh:
        cache.put_many(fresh)
    return [have[keys[i]] if keys[i] in have else results[i] for i in range(len(texts))]
