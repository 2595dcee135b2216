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

from .nlp import default_pipeline_id, dependency_parse, get_nlp, pipeline_version

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


#: analyse(text, sentence spans, entities, year) -> (scores, facts), one of each per sentence. An
#: analyse function may carry a ``needs_parse(sentence) -> bool`` attribute: those sentences are run
#: through the dependency parser and ``analyse`` gets ``deps=`` (per sentence a list of (start, end,
#: label, head) tokens relative to the sentence, or None).
Analyse = Callable[[str, list, list, "int | None"], tuple[list, list]]


def _no_analysis(text, spans, ents, year, deps=None):
    return [0.0] * len(spans), [[] for _ in spans]


def cache_key(text: str, version: str, year: int | None = None, analysis: str = "") -> str:
    """The cache key of one text's parse (any string, lone surrogates included)."""
    return hashlib.sha1(f"{version}\x1f{analysis}\x1f{year}\x1f{text}".encode("utf-8", "surrogatepass")).hexdigest()


#: abbreviations after which a sentence does not end when a capital or a digit follows ("the No. 2
#: Republican", "Sen. Rand Paul", "St. Louis", "Jan. 5", "the U.S. Senate")
_ABBREVIATION = re.compile(
    r"(?:^|[\s(“\"])(?:No|Nos|Sen|Sens|Rep|Reps|Gov|Govs|Lt|Gen|Col|Sgt|Capt|Cmdr|Adm|Maj|Cpl|Pvt|Mr|Mrs|Ms|Dr|"
    r"Prof|Rev|Hon|Gov|Atty|Supt|Sup|Pres|St|Ste|Mt|Ft|Jr|Sr|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    r"U\.S|U\.N|U\.K|D\.C|Va|Calif|Fla|Mass|Conn|Ariz|Tenn|Ky|Ill|Mich|Wis|Minn|Ore|Wash|Colo|Okla|Ga|La|"
    r"Md|Mo|Pa|Nev|Ind|Kan|Neb|Ala|Miss|Vol|Art|Inc|Corp|Co|approx|vs|v)\.$")
#: words that start a new sentence even after "U.S." or "Inc."
_STARTER = re.compile(r"(?:The|A|An|He|She|It|They|We|I|But|And|In|On|At|This|That|These|Those|There|His|Her|"
                      r"Their|Its|Our|After|Before|When|While|If|As|So|Yet|Still|Then|Now|Meanwhile)\b")
_PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n")


def repair_sentences(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Fix rule-sentencizer slips: an opening quote left at the end of a sentence, a split inside a
    word ("Caliber.Az"), a split before a lower-case word, after an abbreviation ("the No. 2
    Republican"), and a quotation broken over sentences. A paragraph break (a blank line) always
    ends a sentence: nothing is joined across one.

    >>> t = "He is the No. 2 Republican.\\n\\nthen “an open quote\\n\\nNext paragraph."
    >>> [t[s:e] for s, e in repair_sentences(t, [(0, 13), (14, 27), (29, 48), (50, 65)])]
    ['He is the No. 2 Republican.', 'then “an open quote', 'Next paragraph.']
    """
    out: list[list[int]] = []
    for s, e in spans:
        # strip white space at the edges
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if out and not _PARAGRAPH_BREAK.search(text, out[-1][1], s):
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
            abbreviation = bool(_ABBREVIATION.search(prev)) and (text[s].isdigit() or (
                text[s].isupper() and not _STARTER.match(text, s)))
            if (glued and text[s].isalnum()) or text[s].islower() or abbreviation or (open_quote and e - ps < 1200):
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
    spans_of = {i: repair_sentences(texts[i], sents[i]) for i in todo}
    needs_parse = getattr(analyse, "needs_parse", None)
    deps: dict[int, list] = {}
    if needs_parse is not None and todo:
        # the dependency parser runs only on the sentences the analysis asks for
        wanted = [(i, k) for i in todo for k, (s, e) in enumerate(spans_of[i]) if needs_parse(texts[i][s:e])]
        deps = {i: [None] * len(spans_of[i]) for i in todo}
        if wanted:
            nlp = nlp or get_nlp()
            parsed_sents = dependency_parse(nlp, (texts[i][spans_of[i][k][0]:spans_of[i][k][1]] for i, k in wanted),
                                            batch_size=batch_size)
            for (i, k), toks in zip(wanted, parsed_sents):
                deps[i][k] = toks
    for i in todo:
        t = texts[i]
        spans = spans_of[i]
        scores, facts = (analyse(t, spans, ents[i], years[i], deps=deps[i]) if needs_parse is not None
                         else analyse(t, spans, ents[i], years[i]))
        p = Parsed(spans, ents[i], scores, facts)
        results[i] = p
        fresh[keys[i]] = p
    if cache and fresh:
        cache.put_many(fresh)
    return [have[keys[i]] if keys[i] in have else results[i] for i in range(len(texts))]
