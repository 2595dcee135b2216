"""Reading articles from folders, files, tables and DataFrames, with encodings detected.

Every reader returns records (dicts with text and metadata) plus a list of skipped inputs, each with
the file (or row) and the problem, so that one bad file never stops a batch.
"""

from __future__ import annotations

import hashlib
import io
import numbers
import os
import re
import stat
from pathlib import Path

import pandas as pd

TEXT_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}
TEXT_COLUMNS = ("text", "body", "content", "article", "article_text", "full_text")
MANIFEST_NAMES = ("articles.csv", "manifest.csv")


class InputError(ValueError):
    """Input factbench cannot read; the message names the file and the problem."""


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Bytes to text: UTF-8 first (a few stray bytes repaired, with a warning), UTF-16, else the likeliest
    legacy code page (see :mod:`factbench.ingest.encodings`).

    Detection needs a sentence or more: a few words alone can fit several legacy encodings.

    >>> decode_bytes("Министерство обороны сообщило о возвращении военнослужащих.".encode("cp1251"))
    'Министерство обороны сообщило о возвращении военнослужащих.'
    """
    from .encodings import EncodingError, decode_bytes as decode

    if not data.strip():
        raise InputError(f"{name}: empty file")
    try:
        return decode(data, name)
    except EncodingError as e:
        raise InputError(str(e)) from None


def looks_like_html(text: str) -> bool:
    head = text[:2000].lower()
    return bool(re.search(r"<(!doctype html|html|body|article|p|div)[\s>]", head))


def html_to_text(html: str, name: str = "<html>") -> tuple[str, dict]:
    """Main text and metadata of an HTML page, through trafilatura's extractor."""
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text:
        # short pages defeat the main-text heuristics: take every paragraph instead
        text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_recall=True)
    if not text:
        raise InputError(f"{name}: HTML page with no main text")
    meta = {}
    md = trafilatura.extract_metadata(html)
    if md is not None:
        meta = {"title": md.title or "", "published": md.date or "", "url": md.url or "", "outlet": md.sitename or ""}
    return text, meta


MAX_FILE_BYTES = 50_000_000  # a text file larger than this is not one article


def clean_str(value: str) -> str:
    """Text fit to store and print: lone surrogates (from undecodable file names or broken data) become
    U+FFFD and NUL characters are dropped.

    >>> clean_str("Kyiv\\udcff\\x00 Post")
    'Kyiv\ufffd Post'
    """
    if "\x00" in value:
        value = value.replace("\x00", "")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = _SURROGATE.sub("\ufffd", value)
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(path) -> str:
    """A path as text that can be printed (an undecodable file name shows U+FFFD)."""
    return clean_str(str(path))


def _regular_file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as an article file, or None (checked without opening it)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "no such file (a broken link)" if path.is_symlink() else "no such file"
    except OSError as e:
        return f"cannot be read ({e.strerror or e})"
    if stat.S_ISDIR(st.st_mode):
        return "is a folder, not a file"
    if not stat.S_ISREG(st.st_mode):
        kind = "a named pipe" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or \
            stat.S_ISBLK(st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a special file"
        return f"not a regular file ({kind}); skipped"
    if st.st_size > MAX_FILE_BYTES:
        return f"too large for one article ({st.st_size / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB)"
    return None


def read_file(path: Path) -> dict:
    """One article from a .txt/.md/.html file; raises :class:`InputError` naming the file."""
    path = Path(path)
    name = _shown(path)
    problem = _regular_file_problem(path)
    if problem:
        raise InputError(f"{name}: {problem}")
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a folder, not a file") from None
    except OSError as e:
        raise InputError(f"{name}: cannot be read ({e.strerror or e})") from None
    text = decode_bytes(data, name)
    meta: dict = {}
    if path.suffix.lower() in {".html", ".htm", ".xhtml"} or looks_like_html(text):
        text, meta = html_to_text(text, name)
    return {"text": text, "source_path": name, "file": clean_str(path.name),
            **{k: v for k, v in meta.items() if v}}


def _table(path: Path) -> pd.DataFrame:
    suf = path.suffix.lower()
    name = _shown(path)
    problem = _regular_file_problem(path)
    if problem:
        raise InputError(f"{name}: {problem}")
    try:
        if suf in (".csv", ".tsv", ".jsonl", ".ndjson", ".json"):
            with open(path, "rb") as fh:
                text = decode_bytes(fh.read(), name)  # cp1252 tables too, not U+FFFD
            buf = io.StringIO(text)
            if suf in (".csv", ".tsv"):
                return pd.read_csv(buf, sep="\t" if suf == ".tsv" else ",", dtype=str, keep_default_na=False)
            if suf in (".jsonl", ".ndjson"):
                return pd.read_json(buf, lines=True, dtype=False)
            try:
                return pd.read_json(buf, lines=True, dtype=False)
            except ValueError:
                return pd.read_json(io.StringIO(text), dtype=False)
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except InputError:
        raise
    except Exception as e:  # pandas raises many kinds; name the file and the problem
        raise InputError(f"{name}: cannot be read as a {suf[1:]} table ({type(e).__name__}: {e})") from None


def _missing(v) -> bool:
    if v is None:
        return True
    try:
        return bool(isinstance(v, float) and v != v) or v is pd.NA or v is pd.NaT
    except (TypeError, ValueError):
        return False


def _meta_value(v) -> str:
    if _missing(v):
        return ""
    return clean_str(v if isinstance(v, str) else str(v))


def text_problem(value) -> str | None:
    """Why a table cell is not an article text, or None.

    >>> [text_problem(v) for v in ("A fact.", "", None, float("nan"), 42, [1], "12 345")]
    [None, 'empty text', 'empty text', 'empty text', 'text is a number (int), not text', 'text is a list, not text', 'no words in the text']
    """
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return "empty text"
    if isinstance(value, bool):
        return "text is a boolean, not text"
    if isinstance(value, numbers.Number):
        return f"text is a number ({type(value).__name__}), not text"
    if not isinstance(value, str):
        kind = {list: "a list", dict: "a dict", tuple: "a tuple", bytes: "bytes"}.get(type(value), type(value).__name__)
        return f"text is {kind}, not text"
    if not any(ch.isalpha() for ch in value):
        return "no words in the text"
    return None


def records_from_frame(df: pd.DataFrame, name: str, text_column: str | None = None) -> tuple[list[dict], list[dict]]:
    """Records from a DataFrame with a text column; rows with no text, or a cell that is not text
    (numbers, lists, dicts…), are skipped and reported."""
    col = text_column
    if col is None:
        col = next((c for c in TEXT_COLUMNS if c in df.columns), None)
    if col is None or col not in df.columns:
        wanted = repr(text_column) if text_column else "one of " + ", ".join(TEXT_COLUMNS)
        raise InputError(f"{name}: no text column ({wanted}); columns are: {', '.join(map(str, df.columns))}")
    records, skipped = [], []
    for i, row in enumerate(df.to_dict("records")):
        where = f"{name} row {i + 1}"
        text = row.get(col)
        problem = text_problem(text)
        if problem:
            skipped.append({"source": where, "problem": problem})
            continue
        text = clean_str(text)
        meta = {str(k): _meta_value(v) for k, v in row.items() if k != col}
        if looks_like_html(text):
            try:
                text, hmeta = html_to_text(text, where)
            except InputError as e:
                skipped.append({"source": where, "problem": str(e).split(": ", 1)[-1]})
                continue
            meta = {**{k: v for k, v in hmeta.items() if v}, **{k: v for k, v in meta.items() if v}}
        meta.setdefault("source_path", meta.get("file") or where)
        records.append({**meta, "text": text})
    return records, skipped


#: manifest columns that never override what the file gives
MANIFEST_KEYS = ("file", "source_path", "path", "filename")
_FROM_THE_FILE = {"text", "article_id", "id", *MANIFEST_KEYS, *TEXT_COLUMNS}


def read_manifest(manifest) -> pd.DataFrame:
    """A manifest as a table of strings with a ``file`` column (the path as written, ``/``-separated)."""
    if isinstance(manifest, pd.DataFrame):
        m = manifest.copy()
    else:
        m = _table(Path(manifest))
    m = m.map(_meta_value) if hasattr(m, "map") else m.applymap(_meta_value)
    m.columns = [str(c) for c in m.columns]
    key = next((c for c in MANIFEST_KEYS if c in m.columns), None)
    if key is None:
        raise InputError(f"manifest {_manifest_name(manifest)}: needs a 'file' column naming each article's file")
    m["file"] = m[key].map(lambda x: re.sub(r"^(\./)+", "", x.strip().replace("\\", "/")))
    return m.reset_index(drop=True)


def _manifest_name(manifest) -> str:
    return "<DataFrame>" if isinstance(manifest, pd.DataFrame) else _shown(manifest)


def apply_manifest(records: list[dict], manifest) -> list[dict]:
    """Add each manifest row's metadata (outlet, title, published, url…) to the record of its file;
    returns the problems: rows naming no file or a missing one, duplicate rows, names that fit several
    files, and columns that a manifest may not set (text, article id)."""
    m = read_manifest(manifest)
    mname = _manifest_name(manifest)
    problems = []
    ignored = [c for c in m.columns if c.lower() in _FROM_THE_FILE and c not in MANIFEST_KEYS]
    for c in ignored:
        problems.append({"source": mname, "problem": f"column {c!r} ignored: a manifest gives metadata; the text "
                                                     "and the article id come from the file"})
    by_rel = {r["file"]: r for r in records if r.get("file")}
    by_base: dict[str, list[str]] = {}
    for rel in by_rel:
        by_base.setdefault(rel.rsplit("/", 1)[-1], []).append(rel)
    seen: dict[str, int] = {}
    use = [c for c in m.columns if c.lower() not in _FROM_THE_FILE]
    for i, row in enumerate(m.to_dict("records")):
        where = f"{mname} row {i + 1}"
        key = row["file"]
        if not key:
            problems.append({"source": where, "problem": "names no file"})
            continue
        target = by_rel.get(key)
        if target is None:
            cands = by_base.get(key.rsplit("/", 1)[-1], []) if "/" not in key else []
            if len(cands) > 1:
                problems.append({"source": where, "problem": f"{key!r} fits {len(cands)} files ({', '.join(sorted(cands)[:3])}"
                                 f"{', …' if len(cands) > 3 else ''}); name the file by its path in the folder"})
                continue
            if not cands:
                problems.append({"source": where, "problem": f"names a file that is not among the articles: {key!r}"})
                continue
            target = by_rel[cands[0]]
        ident = target["file"]
        if ident in seen:
            problems.append({"source": where, "problem": f"duplicate row for {ident!r} (row {seen[ident]} is used)"})
            continue
        seen[ident] = i + 1
        target.update({k: row[k] for k in use if row[k]})
    return problems


def _walk(folder: Path) -> tuple[list[Path], list[dict]]:
    """Text files under ``folder`` (links to folders not followed), and what could not be listed."""
    files, problems = [], []

    def onerror(e: OSError):
        problems.append({"source": _shown(e.filename or folder), "problem": f"folder cannot be read ({e.strerror or e})"})

    for root, dirs, names in os.walk(folder, onerror=onerror):
        dirs.sort()
        for n in sorted(names):
            if Path(n).suffix.lower() in TEXT_SUFFIXES:
                files.append(Path(root) / n)
    return files, problems


def _folder_ids(folder: Path, files: list[Path]) -> list[tuple[str, str]]:
    """(relative path, article id) of each file: the id is the relative path without its extension,
    or with it where two files differ only in extension."""
    rels = [clean_str(f.relative_to(folder).as_posix()) for f in files]
    stems = [r.rsplit(".", 1)[0] if "." in r.rsplit("/", 1)[-1] else r for r in rels]
    counts: dict[str, int] = {}
    for s in stems:
        counts[s] = counts.get(s, 0) + 1
    return [(r, _safe_id(r if counts[s] > 1 else s)) for r, s in zip(rels, stems)]


def _safe_id(value: str) -> str:
    return re.sub(r"[^\w./-]+", "_", value).strip("_") or "article"


def read_source(source, *, manifest=None, text_column: str | None = None, progress: bool = True
                ) -> tuple[list[dict], list[dict]]:
    """Records and skipped inputs from any supported source."""
    if isinstance(source, pd.DataFrame):
        records, skipped = records_from_frame(source, "<DataFrame>", text_column)
        if manifest is not None:
            skipped += apply_manifest(records, manifest)
        return records, skipped
    if source is None or (isinstance(source, (str, bytes)) and not str(source).strip()):
        raise InputError("no source given: pass a folder, a file, a table or a DataFrame (\"\" is not the current folder)")
    path = Path(os.fsdecode(source) if isinstance(source, bytes) else source)
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as e:
        raise InputError(f"{_shown(path)}: cannot be read ({e.strerror or e})") from None
    if not exists:
        raise InputError(f"{_shown(path)}: no such file or folder")
    if is_dir:
        try:
            with os.scandir(path):
                pass
        except OSError as e:
            raise InputError(f"{_shown(path)}: folder cannot be read ({e.strerror or e})") from None
        files, skipped = _walk(path)
        if manifest is None:
            manifest = next((path / n for n in MANIFEST_NAMES if (path / n).is_file()), None)
        if not files:
            raise InputError(f"{_shown(path)}: no .txt, .md or .html files in this folder")
        from tqdm.auto import tqdm

        records = []
        for f, (rel, aid) in tqdm(list(zip(files, _folder_ids(path, files))), desc="reading", unit="file",
                                  disable=not progress or len(files) < 50):
            try:
                r = read_file(f)
            except InputError as e:
                skipped.append({"source": _shown(f), "problem": str(e).split(": ", 1)[-1]})
                continue
            r["file"], r["article_id"] = rel, aid
            records.append(r)
    elif path.suffix.lower() in TABLE_SUFFIXES:
        records, skipped = records_from_frame(_table(path), _shown(path), text_column)
    else:
        records, skipped = [read_file(path)], []
    if manifest is not None:
        skipped += apply_manifest(records, manifest)
    for r in records:
        for k, v in r.items():
            if isinstance(v, str):
                r[k] = clean_str(v)
    return records, skipped


def article_id_for(record: dict) -> str:
    """A stable article id: given, else the file's name, else a hash of the text."""
    for k in ("article_id", "id"):
        if record.get(k):
            return str(record[k])
    if record.get("file"):
        return _safe_id(Path(record["file"]).stem)
    return "a" + hashlib.sha1(record["text"].encode("utf-8", "surrogatepass")).hexdigest()[:12]
