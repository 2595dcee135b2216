"""Writing files safely: lists as JSON, spreadsheet formulas neutralised, written atomically.

Every text cell is checked whatever its column's dtype (``object``, ``string`` or pandas 3's ``str``).
A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab or carriage return first,
also after leading spaces) gets an apostrophe in front (OWASP CSV injection). Values that only look
like formulas are written in a form that needs no mangling: plain numbers stay as they are, and a date
without a year (ISO ``--07-04``) is written ``XXXX-07-04`` (ISO 8601-2, unspecified year).

>>> neutralise("=HYPERLINK(\\"http://x\\")"), neutralise("-5 soldiers"), neutralise("ok"), neutralise(" =1+1")
('\\'=HYPERLINK("http://x")', "'-5 soldiers", 'ok', "' =1+1")
>>> neutralise("-5"), neutralise("--07-04"), neutralise("--06")
('-5', 'XXXX-07-04', 'XXXX-06')

Files appear whole or not at all (written to a temporary file beside the target, then renamed), with
the permissions any other tool would give them (the umask, or the mode of the file they replace).
Temporary files left by a killed writer are removed by the next write to the same folder.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_YEARLESS = re.compile(r"--(\d\d)(-\d\d)?")
_TMP = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.fbtmp")
_OLD_TMP_AGE = 3600.0  # seconds: a temporary file this old is stale even if its writer's pid is reused


def neutralise(value: str) -> str:
    """A text cell safe to open in a spreadsheet (see the module docstring)."""
    m = _YEARLESS.fullmatch(value)
    if m:
        return "XXXX-" + m.group(1) + (m.group(2) or "")
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value if value.lstrip(" ").startswith(_FORMULA_START) else value


def _cell(v):
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return json.dumps(v.tolist(), ensure_ascii=False, default=str)
    return v


def _safe(v):
    v = _cell(v)
    return neutralise(v) if isinstance(v, str) else v


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy fit for CSV: list cells as JSON, every text cell neutralised whatever the dtype.

    >>> df = pd.DataFrame({"a": pd.Series(["=1+1", "ok"], dtype="string"), "n": [1, 2]})
    >>> safe_frame(df)["a"].tolist()
    ["'=1+1", 'ok']
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s) or pd.api.types.is_datetime64_any_dtype(s):
            continue
        out[col] = s.astype(object).map(_safe)
    return out


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _clean_stale(folder: Path) -> None:
    """Remove temporary files whose writer is gone (killed exports)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    now = time.time()
    for e in entries:
        m = _TMP.fullmatch(e.name)
        if not m:
            continue
        pid = int(m.group("pid"))
        alive = True
        if pid != os.getpid():
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                alive = False
            except (PermissionError, OSError):
                pass
        try:
            old = now - e.stat(follow_symlinks=False).st_mtime > _OLD_TMP_AGE
            if not alive or (old and pid != os.getpid()):
                os.unlink(e.path)
        except OSError:
            pass


def atomic_write(path: str | os.PathLike, write: Callable, *, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path}: the folder {path.parent} does not exist")
    _clean_stale(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".fbtmp", dir=str(path.parent))
    try:
        try:
            perms = path.stat().st_mode & 0o777
        except OSError:
            perms = 0o666 & ~_umask()
        os.chmod(tmp, perms)
        kw = {} if "b" in mode else {"encoding": encoding, "newline": newline}
        with os.fdopen(fd, mode, **kw) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def check_output(path: str | os.PathLike, *, folder: bool = False) -> Path:
    """Check before any work that ``path`` can be written: its folder exists and is a folder (or, for
    ``folder=True``, the path is a folder or can be made one); raises OSError naming the problem."""
    path = Path(path)
    if folder:
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(f"{path}: exists and is not a folder")
        probe = path
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir():
            raise NotADirectoryError(f"{path}: {probe} is a file, not a folder")
        if not os.access(probe, os.W_OK):
            raise PermissionError(f"{path}: {probe} is not writable")
        return path
    if path.is_dir():
        raise IsADirectoryError(f"{path}: is a folder; give a file name")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"{path}: the folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK):
        raise PermissionError(f"{path}: the folder {path.parent} is not writable")
    return path


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write ``df`` as UTF-8 RFC 4180 CSV; the file appears whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = safe_frame(df)
    return atomic_write(path, lambda fh: safe.to_csv(fh, index=False, lineterminator="\r\n"), newline="")


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write UTF-8 text; the file appears whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, lambda fh: fh.write(text))
