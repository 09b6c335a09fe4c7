"""Figures for the flow tab (matplotlib's object API: no pyplot, so concurrent requests are safe).

The density figure has a fixed layout, so a click on the PNG maps back to a point (pixel_to_point).
"""
from __future__ import annotations

import threading

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

DPI = 100
DENSITY_SIZE = (8.4, 4.4)                       # inches -> 840 x 440 px
PANEL_BOXES = ((0.06, 0.08, 0.4, 0.8), (0.56, 0.08, 0.4, 0.8))   # left, bottom, width, height (figure fractions)
CMAP = "magma"


def _heatmap(ax, density: np.ndarray, extent: float, vmax: float, title: str) -> None:
    ax.imshow(density, origin="lower", extent=(-extent, extent, -extent, extent), cmap=CMAP,
              vmin=0, vmax=vmax, interpolation="nearest", aspect="auto")
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=8)


def _dots(ax, points: np.ndarray, extent: float) -> None:
    ax.scatter(points[:, 0], points[:, 1], s=1.5, c="#7fdbff", alpha=0.6, linewidths=0)
    ax.set_xlim(-extent, extent)
    ax.set_ylim(-extent, extent)


def density_figure(learned: np.ndarray, true: np.ndarray, learned_points: np.ndarray, true_points: np.ndarray,
                   extent: float, titles: tuple[str, str]) -> Figure:
    """Learned density | true density, each (R, R) with row 0 at the bottom, samples on top."""
    fig = Figure(figsize=DENSITY_SIZE, dpi=DPI)
    vmax = float(np.quantile(true, 0.999)) * 1.1 or 1.0
    for box, grid, points, title in zip(PANEL_BOXES, (learned, true), (learned_points, true_points), titles):
        ax = fig.add_axes(box)
        _heatmap(ax, grid, extent, vmax, title)
        if len(points):
            _dots(ax, points, extent)
    return fig


def pixel_to_point(px: float, py: float, extent: float) -> tuple[float, float] | None:
    """The (x, y) under pixel (px, py) of a density figure (origin top-left), or None off the panels."""
    width, height = DENSITY_SIZE[0] * DPI, DENSITY_SIZE[1] * DPI
    fx, fy = px / width, 1 - py / height
    for left, bottom, w, h in PANEL_BOXES:
        u, v = (fx - left) / w, (fy - bottom) / h
        if 0 <= u <= 1 and 0 <= v <= 1:
            return (-extent + 2 * extent * u, -extent + 2 * extent * v)
    return None


class _LayerCanvas:
    """A square panel whose points, grid lines and title are swapped per frame: building the axes
    and tick labels is most of a figure's cost, and the layer slider must answer fast."""

    def __init__(self, extent: float):
        self.figure = Figure(figsize=(4.4, 4.4), dpi=DPI)
        ax = self.figure.add_axes((0.1, 0.08, 0.86, 0.84))
        self.lines = ax.add_collection(LineCollection([], colors="#999999", linewidths=0.6))
        self.points = ax.scatter(np.zeros(1), np.zeros(1), s=2, c=np.zeros(1), cmap="hsv", vmin=-np.pi, vmax=np.pi,
                                 linewidths=0)
        ax.set_xlim(-extent, extent)
        ax.set_ylim(-extent, extent)
        ax.tick_params(labelsize=8)
        self.title = ax.set_title("", fontsize=10)
        self.extent = extent


_canvases = threading.local()  # one per server thread: a figure must not be drawn by two threads at once


def layer_figure(points: np.ndarray, colors: np.ndarray, lines: list[np.ndarray], extent: float, title: str) -> Figure:
    """Points (n, 2) coloured by where they started (angle in base space), and the warped grid lines.
    The figure is reused by the calling thread: save it before asking for the next one."""
    canvas = getattr(_canvases, "layer", None)
    if canvas is None or canvas.extent != extent:
        canvas = _canvases.layer = _LayerCanvas(extent)
    canvas.lines.set_segments(lines)
    canvas.points.set_offsets(points)
    canvas.points.set_array(colors)
    canvas.title.set_text(title)
    return canvas.figure


def training_figure(learned: np.ndarray, true: np.ndarray, steps: list[int], losses: list[float],
                    entropy: float, extent: float, title: str) -> Figure:
    """Live training: learned density | true density | loss curve with the entropy floor."""
    fig = Figure(figsize=(11, 3.6), dpi=DPI)
    vmax = float(np.quantile(true, 0.999)) * 1.1 or 1.0
    _heatmap(fig.add_axes((0.04, 0.1, 0.27, 0.78)), learned, extent, vmax, title)
    _heatmap(fig.add_axes((0.36, 0.1, 0.27, 0.78)), true, extent, vmax, "true density p(x)")
    ax = fig.add_axes((0.71, 0.14, 0.27, 0.74))
    if steps:
        ax.plot(steps, losses, lw=1, color="#1f77b4", label="training NLL (batch)")
    ax.axhline(entropy, color="#d62728", ls="--", lw=1, label=f"H(p) = {entropy:.3f}: the floor")
    ax.set_xlabel("step", fontsize=9)
    ax.set_ylabel("nats", fontsize=9)
    if losses:
        ax.set_ylim(entropy - 0.3, max(entropy + 0.5, min(max(losses), entropy + 3)))
    ax.legend(fontsize=8, loc="upper right")
    ax.tick_params(labelsize=8)
    ax.set_title("negative log-likelihood", fontsize=10)
    return fig
