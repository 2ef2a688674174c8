"""Fenced code blocks of the Markdown docs, with the markers the docs runner reads.

Used by ``test_docs_samples.py`` (every Python block) and ``test_tutorial.py`` (the
tutorial's shell commands). The markers are described in ``test_docs_samples.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DOCS", "ROOT", "Block", "collect", "output_of", "parse_blocks", "read_snippet"]

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")
MARKER = re.compile(
    r"^\s*<!--\s*(?P<kind>not-runnable|new-program|standalone|output)\s*(?::(?P<arg>.*?))?-->\s*$"
)
SNIPPET = re.compile(r'^--8<-- "(?P<path>[^"]+)"$', re.MULTILINE)
PYTHON_LANGS = {"python", "py", "python3"}
OUTPUT_LANGS = {"", "text", "console", "output"}


@dataclass
class Block:
    """One fenced code block of a Markdown page."""

    page: Path
    line: int
    lang: str
    code: str
    marker: str | None = None
    reason: str = ""
    chain: list[Block] = field(default_factory=list)
    output: str | None = None

    @property
    def id(self) -> str:
        """A test id: the page, relative to the repository, and the fence's line."""
        return f"{self.page.relative_to(ROOT).as_posix()}:{self.line}"


def read_snippet(path: str) -> str:
    """The file a ``--8<--`` line includes, relative to the repository."""
    return (ROOT / path).read_text(encoding="utf-8").rstrip("\n")


def parse_blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, with the marker comment placed before it."""
    lines = page.read_text(encoding="utf-8").splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        indent, ticks, lang = match["indent"], match["ticks"], match["info"].lower()
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(ticks) and lines[j].strip().strip(ticks[0]) == ""
        ):
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            j += 1
        code = SNIPPET.sub(lambda m: read_snippet(m["path"]), "\n".join(body))
        block = Block(page=page, line=i + 1, lang=lang, code=code + "\n")
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0 and (marker := MARKER.match(lines[k])):
            block.marker = marker["kind"]
            block.reason = (marker["arg"] or "").strip()
        blocks.append(block)
        i = j + 1
    return blocks


def collect() -> list[Block]:
    """The Python blocks of every page, each knowing its chain and expected output."""
    pages = [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]
    collected: list[Block] = []
    for page in pages:
        program: list[Block] = []
        blocks = parse_blocks(page)
        for block in blocks:
            if block.lang not in PYTHON_LANGS:
                continue
            if block.marker == "new-program":
                program = []
            block.chain = [] if block.marker == "standalone" else list(program)
            if block.marker not in ("not-runnable", "standalone"):
                program.append(block)
            block.output = output_of(blocks, block)
            collected.append(block)
    return collected


def output_of(blocks: list[Block], block: Block) -> str | None:
    """The text of the ``<!-- output -->`` block right after ``block``, if there is one."""
    index = blocks.index(block)
    following = blocks[index + 1] if index + 1 < len(blocks) else None
    if following is not None and following.marker == "output" and following.lang in OUTPUT_LANGS:
        return following.code
    return None
