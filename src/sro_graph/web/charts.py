"""Geometry of the dashboard's inline SVG charts (no JavaScript, no CDN).

Pure functions from numbers to coordinates; the templates draw them (``_charts.html``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sro_graph.linkeddata import Bar

BAR_AREA = 300
ROW_HEIGHT = 28
MAX_LABEL_CHARS = 40
CHAR_WIDTH = 7  # px per character at the charts' 12px font, generously


@dataclass(frozen=True)
class BarRow:
    label: str
    short_label: str
    value: int
    href: str | None
    y: int
    width: int
    css: str


@dataclass(frozen=True)
class BarChart:
    rows: tuple[BarRow, ...]
    width: int
    height: int
    label_width: int
    total: int


def shorten(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart(bars: Sequence[Bar], *, css: Sequence[str] = ()) -> BarChart:
    """Horizontal bars scaled to the largest value (a zero bar is drawn 0 wide)."""
    top = max((b.value for b in bars), default=0) or 1
    longest = max((len(shorten(b.label)) for b in bars), default=0)
    label_width = CHAR_WIDTH * longest + 16
    rows = tuple(
        BarRow(
            label=b.label,
            short_label=shorten(b.label),
            value=b.value,
            href=b.href,
            y=i * ROW_HEIGHT,
            width=round(BAR_AREA * b.value / top),
            css=css[i] if i < len(css) else "",
        )
        for i, b in enumerate(bars)
    )
    return BarChart(
        rows=rows,
        width=label_width + BAR_AREA + 50,
        height=max(ROW_HEIGHT, ROW_HEIGHT * len(rows)),
        label_width=label_width,
        total=sum(b.value for b in bars),
    )


@dataclass(frozen=True)
class Node:
    label: str
    value: int
    href: str | None
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Edge:
    a: str
    b: str
    value: int
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    mid_x: float
    mid_y: float


@dataclass(frozen=True)
class Network:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    size: int
    width: int


def network(
    nodes: Sequence[Bar], edges: Sequence[tuple[str, str, int]], *, size: int = 400
) -> Network:
    """Nodes on a circle (area ~ initiatives), edges as lines (width ~ shared initiatives)."""
    # Room on both sides for the labels of the left and right nodes.
    width = size + 200
    centre_x, centre = width / 2, size / 2
    radius = size / 2 - 90
    top = max((n.value for n in nodes), default=0) or 1
    top_edge = max((v for _, _, v in edges), default=0) or 1
    placed: dict[str, Node] = {}
    for i, bar in enumerate(nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(nodes), 1)
        x = centre_x + radius * math.cos(angle)
        y = centre + radius * math.sin(angle)
        r = 10 + 22 * math.sqrt(bar.value / top)
        lx = centre_x + (radius + r + 12) * math.cos(angle)
        ly = centre + (radius + r + 12) * math.sin(angle) + 4
        anchor = (
            "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        )
        placed[bar.label] = Node(
            bar.label,
            bar.value,
            bar.href,
            round(x, 1),
            round(y, 1),
            round(r, 1),
            round(lx, 1),
            round(ly, 1),
            anchor,
        )
    drawn = []
    for a, b, value in edges:
        if a not in placed or b not in placed:
            continue
        na, nb = placed[a], placed[b]
        drawn.append(
            Edge(
                a,
                b,
                value,
                na.x,
                na.y,
                nb.x,
                nb.y,
                round(1.5 + 8 * value / top_edge, 1),
                # Labels at 40 % of the edge, so crossing edges keep theirs apart.
                round(na.x + 0.4 * (nb.x - na.x), 1),
                round(na.y + 0.4 * (nb.y - na.y) + 4, 1),
            )
        )
    return Network(nodes=tuple(placed.values()), edges=tuple(drawn), size=size, width=width)
