"""The privacy notice as HTML blocks: `privacy.notice.build` gives short Markdown sections (`### ` headings,
`- ` list items, `**bold**`); this reads exactly that much into blocks a template renders, escaped as always."""

from __future__ import annotations

from dataclasses import dataclass, field

from omotenashi.privacy.notice import Section

Parts = list[tuple[bool, str]]  # (bold?, text)


@dataclass
class Block:
    kind: str  # "h3", "p" or "ul"
    parts: Parts = field(default_factory=list)
    items: list[Parts] = field(default_factory=list)


@dataclass(frozen=True)
class NoticeSection:
    title: str
    blocks: list[Block]


def inline(line: str) -> Parts:
    """`**bold**` and plain text, in order (an unclosed `**` stays as it was written)."""
    pieces = line.split("**")
    if len(pieces) % 2 == 0:
        return [(False, line)]
    return [(i % 2 == 1, piece) for i, piece in enumerate(pieces) if piece]


def blocks(lines: list[str]) -> list[Block]:
    out: list[Block] = []
    for line in lines:
        if line.startswith("### "):
            out.append(Block("h3", inline(line[4:])))
        elif line.startswith("- "):
            if not out or out[-1].kind != "ul":
                out.append(Block("ul"))
            out[-1].items.append(inline(line[2:]))
        elif line.strip():
            out.append(Block("p", inline(line)))
    return out


def sections(built: list[Section]) -> list[NoticeSection]:
    """The notice's sections as blocks; the first section's title is the page's title."""
    return [NoticeSection(s.title, blocks(s.lines)) for s in built]
