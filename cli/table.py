"""Plain-text tables for terminals: no dependency, cells may span several lines."""

from __future__ import annotations

from collections.abc import Sequence


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], *, gap: str = "  ") -> str:
    """Columns padded to their widest line; a cell with newlines takes several lines of its row."""
    cells = [[str(cell).splitlines() or [""] for cell in row] for row in rows]
    widths = [len(header) for header in headers]
    for row in cells:
        for index, lines in enumerate(row):
            widths[index] = max(widths[index], *(len(line) for line in lines))
    out = [_line(headers, widths, gap), _line(["-" * w for w in widths], widths, gap)]
    for row in cells:
        height = max(len(lines) for lines in row)
        for depth in range(height):
            out.append(_line([lines[depth] if depth < len(lines) else "" for lines in row], widths, gap))
    return "\n".join(out)


def _line(values: Sequence[str], widths: Sequence[int], gap: str) -> str:
    return gap.join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()
