"""The objectives x challenges heat map: the values ``_heatmap.html`` needs, with its colours.

Shown on the dashboard and on the instruments' matrix page.
"""

from __future__ import annotations

from sro_graph.instruments import Instruments, Matrix


def heat_colour(value: int, top: int) -> str:
    """A sequential blue scale; zero is white so that gaps stand out."""
    if value <= 0 or top <= 0:
        return "#ffffff"
    share = value / top
    lightness = round(92 - share * 62)
    return f"hsl(212, 70%, {lightness}%)"


def matrix_context(instruments: Instruments, lang: str) -> dict[str, object]:
    """What ``_heatmap.html`` needs: the matrix, its colour scale and cell colours."""
    data: Matrix = instruments.matrix(lang)
    top = data.top
    scale = (
        [(n, heat_colour(n, top)) for n in range(0, top + 1)]
        if top <= 8
        else [(round(top * k / 4), heat_colour(round(top * k / 4), top)) for k in range(5)]
    )
    return {
        "m": data,
        "colour": lambda n: heat_colour(n, top),
        "scale": scale,
        "dark": lambda n: top > 0 and n / top > 0.5,
    }
