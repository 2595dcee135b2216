"""Bytes to text: UTF-8 first, then the likeliest legacy code page, by what reads as real text.

1. A byte-order mark decides (UTF-8, UTF-16 LE/BE); UTF-16 without a mark is recognised by its
   zero bytes at every other position.
2. UTF-8. A file that is UTF-8 except for a few lines (a paragraph pasted from a cp1252 document, one
   broken byte) is kept as UTF-8; only the bytes that are not UTF-8 are read with the likeliest legacy
   code page, and a warning names the lines.
3. Otherwise every candidate legacy code page (cp1252, cp1251, KOI8-R, cp1250, ISO-8859-15, …) decodes
   the file and the one whose text looks most like real writing wins: common letters and punctuation
   (é ü ñ, “ ” ’ — € £, Cyrillic words) score, control characters, rare letters and symbols, words
   mixing scripts or with a capital after small letters ("Ismaļl", "рПЙЧЕФ") and mojibake (ftfy's
   badness check) cost. Ties go to the earlier code page in :data:`LEGACY`.

>>> decode_bytes("Le prix : 5 € ou 4 £, dit « Ismaël » à l’AFP.".encode("cp1252"))
'Le prix : 5 € ou 4 £, dit « Ismaël » à l’AFP.'
>>> decode_bytes("Министерство обороны сообщило о возвращении военнослужащих.".encode("koi8_r"))
'Министерство обороны сообщило о возвращении военнослужащих.'
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import warnings

#: legacy code pages tried when a file is not UTF-8, most likely first (ties go to the earlier)
LEGACY = ("cp1252", "cp1251", "koi8_r", "cp1250", "iso8859_15", "cp1257", "cp1253", "cp1254", "iso8859_2",
          "mac_roman", "latin_1")

# letters that real text in European languages uses often (lower case; capitals are judged by case rules)
_COMMON_LETTERS = set(
    "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœ"  # Western
    "ąćęłńśźżčďěňřšťůžőűăâîșțş"  # Central European, Romanian
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў"  # Cyrillic
    "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώς"  # Greek
)
_GOOD_PUNCT = set("’‘“”„«»–—…€£°·•§©®™\u00a0¿¡½¼¾±×")
_WORD = re.compile(r"[^\W\d_]+")


class EncodingError(ValueError):
    """Bytes that are not text in any encoding factbench knows."""


def _script(ch: str) -> str:
    o = ord(ch)
    if o < 0x250:
        return "latin"
    if 0x370 <= o < 0x400:
        return "greek"
    if 0x400 <= o < 0x530:
        return "cyrillic"
    return "other"


def plausibility(text: str) -> float:
    """How much ``text`` reads like real writing (higher is better); only non-ASCII text counts.

    >>> plausibility("Ismaël said “yes” for 5 €") > plausibility("Ismaļl said ōyesö for 5 Ć")
    True
    """
    score = 0.0
    for ch in text:
        if ch.isascii():
            continue
        low = ch.lower()
        if low in _COMMON_LETTERS:
            score += 1.0
        elif ch in _GOOD_PUNCT:
            score += 1.5
        else:
            cat = unicodedata.category(ch)
            if cat[0] == "C":
                score -= 10.0  # control or unassigned: never in text
            elif cat[0] == "L":
                score -= 2.0  # a letter few languages use
            else:
                score -= 3.0  # box drawing, currency signs, ¤ ¦ ¨ ¬ and friends
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if len({_script(c) for c in word}) > 1:
            score -= 4.0  # "Mосква": scripts mixed in one word
        rest = word[1:]
        if rest and not rest.islower() and not rest.isupper():
            score -= 3.0  # "ismaĻl", "рПЙЧЕФ": a capital after small letters
        elif len(word) > 1 and word.isupper():
            score -= 0.5  # whole words in capitals are rare in running text
    try:
        from ftfy.badness import badness

        score -= 5.0 * badness(text)
    except ImportError:  # pragma: no cover - ftfy is a dependency
        pass
    return score


def best_legacy(data: bytes) -> tuple[str, str]:
    """(code page, text) of the likeliest legacy decoding of ``data``."""
    sample = _non_ascii_lines(data)
    best = None
    for i, enc in enumerate(LEGACY):
        try:
            s = sample.decode(enc)
        except UnicodeDecodeError:
            continue
        key = (plausibility(s), -i)
        if best is None or key > best[0]:
            best = (key, enc)
    enc = best[1] if best else "latin_1"
    return enc, data.decode(enc)


def _non_ascii_lines(data: bytes, limit: int = 200_000) -> bytes:
    """The lines holding non-ASCII bytes (what tells code pages apart), up to ``limit`` bytes."""
    out, n = [], 0
    for line in data.split(b"\n"):
        if not line.isascii():
            out.append(line)
            n += len(line)
            if n > limit:
                break
    return b"\n".join(out)


def _utf16_without_bom(data: bytes) -> str | None:
    head = data[:4096]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    z_even, z_odd = even.count(0) / len(even), odd.count(0) / max(1, len(odd))
    enc = "utf-16-le" if z_odd > 0.3 and z_even < 0.05 else "utf-16-be" if z_even > 0.3 and z_odd < 0.05 else None
    if enc is None:
        return None
    try:
        return data[: len(data) - len(data) % 2].decode(enc)
    except UnicodeDecodeError:
        return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Bytes of a text file to text (see the module docstring); raises :class:`EncodingError` for
    binary data; warns (``UnicodeWarning``) when lines had to be repaired or NUL bytes removed."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError:
                if enc != "utf-8-sig":
                    raise EncodingError(f"{name}: broken UTF-16 (invalid data after the byte-order mark)") from None
                data = data[len(bom):]
                break
    if b"\x00" in data[:8192]:
        text = _utf16_without_bom(data)
        if text is not None:
            return text
        raise EncodingError(f"{name}: binary file (contains NUL bytes), not text")
    text = _utf8_or_legacy(data, name)
    if "\x00" in text:
        n = text.count("\x00")
        text = text.replace("\x00", "")
        warnings.warn(f"{name}: {n} NUL byte(s) removed from the text", UnicodeWarning, stacklevel=3)
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(sample)):
        raise EncodingError(f"{name}: binary file (control characters), not text")
    return text


def _utf8_or_legacy(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    spans: list[tuple[int, int]] = []

    def count(err: UnicodeDecodeError):
        spans.append((err.start, err.end))
        return "", err.end

    valid = sum(1 for ch in codecs.decode(data, "utf-8", errors=_COUNT.register(count)) if not ch.isascii())
    if valid <= len(spans):
        # not UTF-8: valid multi-byte sequences are rarer than broken ones
        return best_legacy(data)[1]
    # UTF-8 with a few stray bytes: read only those with the likeliest legacy code page
    starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]
    from bisect import bisect_right

    bad_lines = sorted({bisect_right(starts, s) for s, _ in spans})
    lines = data.split(b"\n")
    sample = b"\n".join(lines[i - 1] for i in bad_lines)
    enc = max(LEGACY, key=lambda e: (plausibility(sample.decode("utf-8", errors=f"factbench-{e}")), -LEGACY.index(e)))
    text = data.decode("utf-8", errors=f"factbench-{enc}")
    where = ", ".join(map(str, bad_lines[:10])) + (", …" if len(bad_lines) > 10 else "")
    warnings.warn(f"{name}: UTF-8 with {len(spans)} stray byte sequence(s) that are not (line {where}); "
                  f"read as {enc}", UnicodeWarning, stacklevel=3)
    return text


class _Counter:
    """A codec error handler name whose callback can be swapped (codecs cannot unregister)."""

    def __init__(self):
        self.callback = None
        codecs.register_error("factbench-count", lambda err: self.callback(err))

    def register(self, callback) -> str:
        self.callback = callback
        return "factbench-count"


_COUNT = _Counter()


def _register_handlers() -> None:
    def handler_for(enc: str):
        def handle(err: UnicodeDecodeError):
            return err.object[err.start:err.end].decode(enc, errors="replace"), err.end
        return handle

    for enc in LEGACY:
        try:
            codecs.lookup_error(f"factbench-{enc}")
        except LookupError:
            codecs.register_error(f"factbench-{enc}", handler_for(enc))


_register_handlers()
