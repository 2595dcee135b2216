"""Reading articles from folders, files, tables and DataFrames, with encodings detected.

Every reader returns records (dicts with text and metadata) plus a list of skipped inputs, each with
the file (or row) and the problem, so that one bad file never stops a batch.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

import pandas as pd

TEXT_SUFFIXES = {".txt", ".md", ".text", ".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".parquet", ".pq"}
TEXT_COLUMNS = ("text", "body", "content", "article", "article_text", "full_text")
MANIFEST_NAMES = ("articles.csv", "manifest.csv")


class InputError(ValueError):
    """Input factbench cannot read; the message names the file and the problem."""


def decode_bytes(data: bytes, name: str = "<bytes>") -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else the detected legacy encoding.

    Detection needs a sentence or more: a few words alone can fit several legacy encodings.

    >>> decode_bytes("Министерство обороны сообщило о возвращении военнослужащих.".encode("cp1251"))
    'Министерство обороны сообщило о возвращении военнослужащих.'
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc)
    head = data[:8192]
    if b"\x00" in head:
        raise InputError(f"{name}: binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(f"{name}: not text in any known encoding")
    text = str(best)
    controls = sum(1 for ch in text[:4000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(text[:4000])):
        raise InputError(f"{name}: binary file (control characters), not text")
    return text


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


def read_file(path: Path) -> dict:
    """One article from a .txt/.md/.html file; raises :class:`InputError` naming the file."""
    name = str(path)
    try:
        data = path.read_bytes()
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
    return {"text": text, "source_path": name, "file": path.name, **{k: v for k, v in meta.items() if v}}


def _table(path: Path) -> pd.DataFrame:
    suf = path.suffix.lower()
    try:
        if suf == ".csv":
            return pd.read_csv(path, dtype=str, keep_default_na=False, encoding_errors="replace")
        if suf == ".tsv":
            return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, encoding_errors="replace")
        if suf in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True, dtype=False)
        if suf == ".json":
            try:
                return pd.read_json(path, lines=True, dtype=False)
            except ValueError:
                return pd.read_json(path, dtype=False)
        return pd.read_parquet(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except Exception as e:  # pandas raises many kinds; name the file and the problem
        raise InputError(f"{path}: cannot be read as a {suf[1:]} table ({type(e).__name__}: {e})") from None


def records_from_frame(df: pd.DataFrame, name: str, text_column: str | None = None) -> tuple[list[dict], list[dict]]:
    """Records from a DataFrame with a text column; rows with no text are skipped and reported."""
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
        if text is None or (isinstance(text, float) and pd.isna(text)) or not str(text).strip():
            skipped.append({"source": where, "problem": "empty text"})
            continue
        text = str(text)
        meta = {k: ("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
                for k, v in row.items() if k != col}
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


def read_manifest(manifest) -> pd.DataFrame:
    if isinstance(manifest, pd.DataFrame):
        m = manifest.copy()
    else:
        p = Path(manifest)
        m = _table(p)
    m = m.astype(str).replace({"nan": "", "None": ""})
    key = next((c for c in ("file", "source_path", "path", "filename") if c in m.columns), None)
    if key is None:
        raise InputError(f"manifest {manifest if not isinstance(manifest, pd.DataFrame) else '<DataFrame>'}: "
                         "needs a 'file' column naming each article's file")
    m["file"] = m[key].map(lambda x: Path(x).name)
    return m.set_index("file")


def read_source(source, *, manifest=None, text_column: str | None = None, progress: bool = True
                ) -> tuple[list[dict], list[dict]]:
    """Records and skipped inputs from any supported source."""
    if isinstance(source, pd.DataFrame):
        return records_from_frame(source, "<DataFrame>", text_column)
    path = Path(source)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if (p.is_file() or p.is_symlink()) and p.suffix.lower() in TEXT_SUFFIXES)
        if manifest is None:
            manifest = next((path / n for n in MANIFEST_NAMES if (path / n).exists()), None)
        if not files:
            raise InputError(f"{path}: no .txt, .md or .html files in this folder")
        from tqdm.auto import tqdm

        records, skipped = [], []
        for f in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 50):
            try:
                records.append(read_file(f))
            except InputError as e:
                skipped.append({"source": str(f), "problem": str(e).split(": ", 1)[-1]})
    elif path.suffix.lower() in TABLE_SUFFIXES:
        records, skipped = records_from_frame(_table(path), str(path), text_column)
    else:
        records, skipped = [read_file(path)], []
    if manifest is not None:
        m = read_manifest(manifest)
        for r in records:
            f = r.get("file") or Path(r.get("source_path", "")).name
            if f in m.index:
                row = m.loc[f]
                r.update({k: v for k, v in row.items() if isinstance(v, str) and v})
    return records, skipped


def article_id_for(record: dict) -> str:
    """A stable article id: given, else the file's name, else a hash of the text."""
    for k in ("article_id", "id"):
        if record.get(k):
            return str(record[k])
    if record.get("file"):
        return re.sub(r"[^\w.-]+", "_", Path(record["file"]).stem)
    return "a" + hashlib.sha1(record["text"].encode()).hexdigest()[:12]
