"""Figures for the flow tab, as PNG bytes (matplotlib's object API: no pyplot, no shared state).

The density figure has a fixed layout, so a click on the PNG maps back to a point (pixel_to_point).
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from PIL import Image

from demos import outputs
from gen_core.data.toy2d import EXTENT

DPI = 100
DENSITY_SIZE = (8.4, 4.4)                       # inches -> 840 x 440 px
PANEL_BOXES = ((0.06, 0.08, 0.4, 0.8), (0.56, 0.08, 0.4, 0.8))   # left, bottom, width, height (figure fractions)
CMAP = "magma"
TICKS = (-4, -2, 0, 2, 4)


def _heatmap(ax, density: np.ndarray, extent: float, vmax: float, title: str):
    image = ax.imshow(density, origin="lower", extent=(-extent, extent, -extent, extent), cmap=CMAP,
                      vmin=0, vmax=vmax, interpolation="nearest", aspect="auto")
    ax.set_title(title, fontsize=10)
    _ticks(ax)
    return image


def _ticks(ax) -> None:
    # Few tick labels: laying out text is the largest part of drawing these small figures.
    ax.set_xticks(TICKS)
    ax.set_yticks(TICKS)
    ax.tick_params(labelsize=8)


def _vmax(true: np.ndarray) -> float:
    return float(np.quantile(true, 0.999)) * 1.1 or 1.0


class _DensityCanvas:
    def __init__(self):
        self.figure = Figure(figsize=DENSITY_SIZE, dpi=DPI)
        self.panels = []
        for box in PANEL_BOXES:
            ax = self.figure.add_axes(box)
            image = _heatmap(ax, np.zeros((2, 2)), EXTENT, 1.0, "")
            dots = ax.scatter(np.zeros(1), np.zeros(1), s=1.5, c="#7fdbff", alpha=0.6, linewidths=0)
            ax.set_xlim(-EXTENT, EXTENT)
            ax.set_ylim(-EXTENT, EXTENT)
            self.panels.append((ax, image, dots))


_density_canvases = outputs.FigurePool(_DensityCanvas)


def density_png(learned: np.ndarray, true: np.ndarray, learned_points: np.ndarray, true_points: np.ndarray,
                titles: tuple[str, str]) -> bytes:
    """Learned density | true density, each (R, R) over [-EXTENT, EXTENT]^2 with row 0 at the bottom,
    samples on top, as PNG bytes."""
    vmax = _vmax(true)
    with _density_canvases.borrow() as canvas:
        for (ax, image, dots), grid, points, title in zip(canvas.panels, (learned, true),
                                                         (learned_points, true_points), titles):
            image.set_data(grid)
            image.set_clim(0, vmax)
            dots.set_offsets(points.reshape(-1, 2))
            ax.set_title(title, fontsize=10)
        return outputs.render_png(canvas.figure)


def density_background(learned: np.ndarray, true: np.ndarray, titles: tuple[str, str]) -> np.ndarray:
    """density_png without points, as an RGB array (H, W, 3), for with_points to draw on."""
    png = density_png(learned, true, np.zeros((0, 2)), np.zeros((0, 2)), titles)
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


POINT_RGB = (127, 219, 255)   # the scatter's colour in density_png


def with_points(background: np.ndarray, points: np.ndarray, panel: int = 0) -> Image.Image:
    """Points (n, 2) drawn as 2 x 2 pixel dots on one panel of a density_background: a frame in
    milliseconds where matplotlib takes a tenth of a second (the frames of a streamed animation)."""
    height, width, _ = background.shape
    left, bottom, w, h = PANEL_BOXES[panel]
    finite = points[np.isfinite(points).all(1)]
    u, v = (finite[:, 0] + EXTENT) / (2 * EXTENT), (finite[:, 1] + EXTENT) / (2 * EXTENT)
    keep = (u >= 0) & (u < 1) & (v >= 0) & (v < 1)
    columns = ((left + w * u[keep]) * width).astype(int)
    rows = ((1 - bottom - h * v[keep]) * height).astype(int)
    frame = background.copy()
    for dr in (0, -1):
        for dc in (0, 1):
            frame[np.clip(rows + dr, 0, height - 1), np.clip(columns + dc, 0, width - 1)] = POINT_RGB
    return Image.fromarray(frame)


def pixel_to_point(px: float, py: float) -> tuple[float, float] | None:
    """The (x, y) under pixel (px, py) of a density figure (origin top-left), or None off the panels."""
    width, height = DENSITY_SIZE[0] * DPI, DENSITY_SIZE[1] * DPI
    fx, fy = px / width, 1 - py / height
    for left, bottom, w, h in PANEL_BOXES:
        u, v = (fx - left) / w, (fy - bottom) / h
        if 0 <= u <= 1 and 0 <= v <= 1:
            return (-EXTENT + 2 * EXTENT * u, -EXTENT + 2 * EXTENT * v)
    return None


class _LayerCanvas:
    def __init__(self):
        self.figure = Figure(figsize=(4.4, 4.4), dpi=DPI)
        ax = self.figure.add_axes((0.1, 0.08, 0.86, 0.84))
        self.lines = ax.add_collection(LineCollection([], colors="#999999", linewidths=0.6))
        self.points = ax.scatter(np.zeros(1), np.zeros(1), s=2, c=np.zeros(1), cmap="hsv", vmin=-np.pi, vmax=np.pi,
                                 linewidths=0)
        ax.set_xlim(-EXTENT, EXTENT)
        ax.set_ylim(-EXTENT, EXTENT)
        _ticks(ax)
        self.title = ax.set_title("", fontsize=10)


_layer_canvases = outputs.FigurePool(_LayerCanvas)


def layer_png(points: np.ndarray, colors: np.ndarray, lines: list[np.ndarray], title: str) -> bytes:
    """Points (n, 2) coloured by where they started (angle in base space) and the warped grid lines."""
    with _layer_canvases.borrow() as canvas:
        canvas.lines.set_segments(lines)
        canvas.points.set_offsets(points)
        canvas.points.set_array(colors)
        canvas.title.set_text(title)
        return outputs.render_png(canvas.figure)


def training_png(learned: np.ndarray, true: np.ndarray, steps: list[int], losses: list[float],
                 entropy: float, title: str) -> bytes:
    """Live training: learned density | true density | loss curve with the entropy floor."""
    fig = Figure(figsize=(11, 3.6), dpi=DPI)
    vmax = _vmax(true)
    _heatmap(fig.add_axes((0.04, 0.1, 0.27, 0.74)), learned, EXTENT, vmax, title)
    _heatmap(fig.add_axes((0.36, 0.1, 0.27, 0.74)), true, EXTENT, vmax, "true density p(x)")
    ax = fig.add_axes((0.71, 0.14, 0.27, 0.70))
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
    return outputs.render_png(fig)
