"""The benchmarks' shared step: put a script's section into docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def write_section(heading: str, text: str, doc_path: Path = DOC) -> None:
    """Replace the section of `doc_path` that starts with `heading` (up to the next `## `)
    by `text`, or append `text` when there is no such section."""
    doc = doc_path.read_text(encoding="utf-8") if doc_path.exists() else "# Benchmarks\n"
    start = doc.find(heading)
    if start < 0:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        nxt = doc.find("\n## ", start + len(heading))
        doc = doc[:start] + text + ("\n" + doc[nxt + 1:] if nxt >= 0 else "")
    doc_path.write_text(doc, encoding="utf-8")
