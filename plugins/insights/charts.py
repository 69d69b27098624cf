"""The monthly report's charts, drawn with matplotlib (Agg, no display) as PNG bytes.

Chinese labels use the CJK font core finds (``fonts-wqy-microhei`` on Debian); without one the
report is written in English, so no label ever prints as empty boxes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

BLUE, GREEN, GREY = "#2f6fb0", "#3a9a5b", "#9aa5b1"


@lru_cache(maxsize=4)
def font_family(path: str | None) -> str | None:
    """Register the font at ``path`` with matplotlib once; its family name."""
    if not path:
        return None
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _figure(width: float, height: float, font_path: str | None) -> Figure:
    family = font_family(font_path)
    matplotlib.rcParams["font.family"] = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return Figure(figsize=(width, height), dpi=150, layout="constrained")


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", facecolor="white")
    return out.getvalue()


def _number(value: int | Decimal | None) -> float:
    return float("nan") if value is None else float(value)


def trends(panels: list[tuple[str, list[str], list[int | Decimal | None]]],
           font_path: str | None) -> bytes:
    """Small multiples: one line per panel ``(title, month labels, values)``, three across."""
    columns = 3
    rows = max(1, (len(panels) + columns - 1) // columns)
    figure = _figure(10, 2.6 * rows, font_path)
    axes = figure.subplots(rows, columns, squeeze=False)
    for n, ax in enumerate(axes.flat):
        if n >= len(panels):
            ax.set_visible(False)
            continue
        title, labels, values = panels[n]
        xs = list(range(len(labels)))
        ys = [_number(v) for v in values]
        ax.plot(xs, ys, color=BLUE, marker="o", linewidth=2)
        ax.fill_between(xs, [0.0 if y != y else y for y in ys], color=BLUE, alpha=0.12)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(xs, [label[2:] for label in labels], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", color="#e3e7ec")
        ax.spines[["top", "right"]].set_visible(False)
        if ys and values[-1] is not None:
            ax.annotate(f"{values[-1] if values[-1] is not None else '–'}", (xs[-1], ys[-1]),
                        textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8,
                        color=BLUE)
    return _png(figure)


def breakdowns(panels: list[tuple[str, list[tuple[str, int]]]], font_path: str | None,
               empty: str) -> bytes:
    """Horizontal bars, one panel per ``(title, [(label, count)…])`` side by side."""
    figure = _figure(10, 3.2, font_path)
    axes = figure.subplots(1, max(1, len(panels)), squeeze=False)
    for ax, (title, counts) in zip(axes.flat, panels, strict=False):
        ax.set_title(title, fontsize=10)
        ax.spines[["top", "right"]].set_visible(False)
        if not counts:
            ax.text(0.5, 0.5, empty, ha="center", va="center", color=GREY,
                    transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        shown = counts[:8][::-1]
        ax.barh([label or "–" for label, _ in shown], [n for _, n in shown], color=GREEN)
        ax.tick_params(labelsize=8)
        for y, (_, n) in enumerate(shown):
            ax.annotate(str(n), (n, y), textcoords="offset points", xytext=(3, -3),
                        fontsize=7)
    return _png(figure)
