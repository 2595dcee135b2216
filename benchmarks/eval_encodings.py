"""Encoding detection on real reporting: each outlet's article of every basil_dev event that holds
non-ASCII characters (curly quotes, dashes, accents), written in cp1252 and read back; and the same
articles as UTF-8 with their last line in cp1252 (a pasted paragraph).

    python benchmarks/eval_encodings.py [../shared/devdata/basil_dev/events]
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

from factbench.ingest.sources import decode_bytes

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "devdata" / "basil_dev" / "events"


def articles(folder: Path) -> list[str]:
    out: dict[tuple, list[str]] = {}
    for f in sorted(folder.glob("*.txt")):
        cur = None
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.startswith("=== "):
                cur = (f.name, line.split("|")[0][4:].strip())
                out[cur] = []
            elif cur and "\t" in line:
                out[cur].append(line.split("\t", 1)[1])
    return ["\n".join(v) for v in out.values()]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not folder.is_dir():
        print(f"{folder}: not found (the basil_dev events of the shared dev data)")
        return
    texts = [t for t in articles(folder) if not t.isascii()]
    warnings.simplefilter("ignore")  # the repaired-line warnings are expected here
    n = legacy = mixed = 0
    for t in texts:
        try:
            data = t.encode("cp1252")
        except UnicodeEncodeError:
            continue
        n += 1
        legacy += decode_bytes(data) == t
        head, _, last = t.rpartition("\n")
        legacy_last = (head.encode() + b"\n" if head else b"") + last.encode("cp1252")
        mixed += decode_bytes(legacy_last) == t
    print(f"{n} real articles with non-ASCII characters, all cp1252-encodable")
    print(f"  written in cp1252, read as written:               {legacy}/{n}")
    print(f"  UTF-8 with the last line in cp1252, read as written: {mixed}/{n}")


if __name__ == "__main__":
    main()
