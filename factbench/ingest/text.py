"""Text clean-up for articles and the one normalisation function shared by every stage.

>>> normalise("The “Kyiv”  administration — 1,000   soldiers on July 4th, Russia-Ukraine talks")
'the kyiv administration 1000 soldiers on july 4 russia ukraine talks'
>>> normalise("The exchange of prisoners", stop_words=True)
'exchange prisoners'
>>> c = clean_article("Big News | World | example.com\\n\\nBig News\\n\\nBig News\\n\\nA\\u00a0fact.\\n\\nRelated posts\\n\\nOther")
>>> c.title, c.text, c.site
('Big News', 'A fact.', 'example.com')
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_QUOTES = str.maketrans({
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "″": '"',
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'",
    "–": "-", "—": "-", "‒": "-", "−": "-", "‐": "-", "‑": "-", "―": "-",
})
# only the runs that need changing: any odd space, or two or more plain ones
_ODD_SPACES = re.compile(r"(?:[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]| {2,})[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")
_BOILER_MAX = 400  # a longer line is an article paragraph, whatever words it uses
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# each pattern opens with the character it replaces and looks behind afterwards (",(?<=\d,)" rather than
# "(?<=\d),"): the same matches, but the regex engine can skip ahead to candidate characters, which makes
# normalise about a third cheaper (tests/test_match.py checks them against the look-behind-first forms)
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_WORD_HYPHEN = re.compile(r"-(?<=[^\W\d_]-)(?=[^\W\d_])")
_PUNCT = re.compile(r"[^\w\s'\-.]|\.(?<!\d\.)|\.(?!\d)|['\-](?<!\w['\-])|['\-](?!\w)")
_WS = re.compile(r"\s+")

_STOP_WORDS: frozenset[str] | None = None


def _stop_words() -> frozenset[str]:
    global _STOP_WORDS
    if _STOP_WORDS is None:
        from spacy.lang.en.stop_words import STOP_WORDS

        # keep negations and number words: they carry facts
        keep = {"not", "no", "never", "nor", "none", "neither", "nobody", "nothing", "without"}
        keep |= {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "fifteen", "twenty", "forty", "fifty", "sixty", "hundred",
                 "first", "third", "fifth", "over", "more", "less", "least", "most", "few", "several"}
        _STOP_WORDS = frozenset(w for w in STOP_WORDS if w not in keep)
    return _STOP_WORDS


def normalise(text: str, *, stop_words: bool = False) -> str:
    """Case-fold, unify quotes and dashes, drop thousands separators, ordinal suffixes ("4th" → "4"),
    hyphens between words and punctuation, fold spaces.

    Used by matching, grouping and discrepancy checks alike, so that every stage agrees on what
    "the same words" means. ``stop_words=True`` also drops English function words (but keeps
    negations and number words, which carry facts)."""
    t = str(text)
    if not t.isascii():  # plain ASCII needs neither Unicode folding nor the quote/dash table
        t = unicodedata.normalize("NFKC", t).translate(_QUOTES)
    t = t.casefold()
    t = _THOUSANDS.sub("", t)
    t = _ORDINAL.sub("", t)
    t = _WORD_HYPHEN.sub(" ", t)
    t = _PUNCT.sub(" ", t)
    t = _WS.sub(" ", t).strip()
    if stop_words:
        sw = _stop_words()
        t = " ".join(w for w in t.split(" ") if w not in sw)
    return t


def text_key(text: str) -> str:
    """A hash of a sentence's normalised words: the same words give the same key on any machine
    (claim ids, and the claim text a verdict judged, are built on it)."""
    import hashlib

    return hashlib.sha1(normalise(text).encode()).hexdigest()[:20]


# ---------------------------------------------------------------- article clean-up

_SITE_HEADER = re.compile(r"^(?P<title>.+?)\s+\|\s+(?:.+\|\s+)?(?P<site>[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})\s*$", re.I)
_TAIL_START = re.compile(
    r"^\W*(related\s+(posts?|sources?|articles?|stories|news|content|reading)|read\s+more|see\s+also|"
    r"more\s+(from|on\s+this|stories)|you\s+may\s+also\s+like|recommended(\s+for\s+you)?|"
    r"share\s+this|tags?|comments?|leave\s+a\s+(reply|comment))\b\W*$",
    re.I,
)
_BOILER_LINE = re.compile(
    r"(this\s+(web)?site\s+uses\s+cookies|we\s+use\s+cookies|cookie\s+(policy|settings|consent)|"
    r"accept\s+(all\s+)?cookies|assume\s+you'?re\s+ok\s+with\s+this|opt-out\s+if\s+you\s+wish|"
    r"^(advertisement|subscribe( now)?|sign\s+up\s+for\s+our\s+newsletter.*|share|print|email)\W*$|"
    r"all\s+rights\s+reserved|^©)",
    re.I,
)
_BYLINE = re.compile(r"^(?:by|written\s+by|author:)\s+(?P<name>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){0,3})\s*$", re.I)


@dataclass
class CleanArticle:
    """The result of :func:`clean_article`: the body text and what was taken out of it."""

    text: str
    title: str = ""
    site: str = ""
    byline: str = ""
    removed: list[str] = field(default_factory=list)


def _norm_line(line: str) -> str:
    line = _ZERO_WIDTH.sub("", line)
    return _ODD_SPACES.sub(" ", line).strip()


def _same(a: str, b: str) -> bool:
    if a == b:
        return bool(a.strip())
    if abs(len(a) - len(b)) > 10 + max(len(a), len(b)) // 5:
        return False
    na = normalise(a)
    return bool(na) and na == normalise(b)


# a headline may end in a question mark or a closing quote ("Sister Is 'Dead Wrong'", "Who Pays?");
# a body sentence ending in a quote closes it after a full stop or comma ('… said "no."')
_SENTENCE_END = re.compile(r"(?:[.!…:;)]|[.!,;:…]\s*[\"'”’]+)\s*$")


def _looks_like_title(line: str, next_lines: list[str]) -> bool:
    """A first line is a title when it repeats below, or is short and does not end like a body
    sentence (a question or a closing quote may end a headline).

    >>> _looks_like_title("Is the Deal Dead?", ["Talks broke off on Friday."])
    True
    >>> _looks_like_title("Mary Cheney: Sister Is 'Dead Wrong'", ["She wrote on Facebook."])
    True
    >>> _looks_like_title('He said the deal was "dead."', ["Talks broke off on Friday."])
    False
    """
    if not next_lines or len(line) > 300:
        return False
    words = line.split()
    if any(_same(line, n) for n in next_lines[:3]):
        return True
    return 0 < len(words) <= 25 and len(line) <= 200 and not _SENTENCE_END.search(line)


def clean_article(raw: str, *, title: str = "") -> CleanArticle:
    """Clean one article's plain text: drop a site-name header, a repeated title (kept once, as the
    title), cookie banners, a byline and trailing "Related posts" lists; fold white space (including
    non-breaking spaces) inside lines; join paragraphs with a blank line.

    The returned ``text`` is what is stored; every offset later points into it."""
    lines = [_norm_line(x) for x in raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [x for x in lines if x]
    removed: list[str] = []
    site = ""
    byline = ""

    # site-name header: "Title | Section | some-domain.com"
    if lines:
        m = _SITE_HEADER.match(lines[0])
        if m:
            removed.append(lines.pop(0))
            site = m.group("site")
            title = title or m.group("title").strip()

    # cookie banners and other single boilerplate lines anywhere
    kept = []
    for x in lines:
        if len(x) <= _BOILER_MAX and _BOILER_LINE.search(x):
            removed.append(x)
        else:
            kept.append(x)
    lines = kept

    # trailing link lists: everything from a "Related posts" heading on
    for i, x in enumerate(lines):
        if i > 0 and len(x) <= 80 and _TAIL_START.match(x):
            removed.extend(lines[i:])
            lines = lines[:i]
            break

    # byline at the very end or right after the title
    for idx in (len(lines) - 1, 1, 0):
        if 0 <= idx < len(lines):
            m = _BYLINE.match(lines[idx])
            if m:
                byline = m.group("name")
                removed.append(lines.pop(idx))
                break

    # title: given, or the first line when it repeats or reads like a headline
    if lines:
        if title and _same(lines[0], title):
            removed.append(lines.pop(0))
        elif not title and _looks_like_title(lines[0], lines[1:]):
            title = lines.pop(0)
            removed.append(title)
    # further copies of the title right at the top
    while lines and title and _same(lines[0], title):
        removed.append(lines.pop(0))

    return CleanArticle(text="\n\n".join(lines), title=title, site=site, byline=byline, removed=removed)
