"""Figures for the VAE tab, as PNG bytes (matplotlib's object API: no pyplot, no shared state)."""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from demos import outputs

MAP_EXTENT = 3.0


class _NormCanvas:
    def __init__(self):
        self.figure = Figure(figsize=(4.0, 2.6), dpi=100)
        ax = self.figure.add_axes((0.16, 0.2, 0.8, 0.68))
        self.lines = {mode: ax.plot([0, 1], [0, 0], label=mode)[0] for mode in ("lerp", "slerp")}
        self.typical = ax.axhline(1, color="#888888", ls="--", lw=1, label="√d")
        ax.set_xlabel("position along the path", fontsize=8)
        ax.set_ylabel("‖z‖", fontsize=8)
        ax.set_xticks((0, 0.5, 1))
        ax.tick_params(labelsize=7)
        self.ax = ax


_norm_canvases = outputs.FigurePool(_NormCanvas)


def norm_png(norms: dict[str, np.ndarray], latent_dim: int, chosen: str) -> bytes:
    """‖z‖ along the lerp and slerp paths, with √d, where a Gaussian prior puts its typical codes."""
    with _norm_canvases.borrow() as canvas:
        for mode, line in canvas.lines.items():
            line.set_data(np.linspace(0, 1, len(norms[mode])), norms[mode])
            line.set_linewidth(2.4 if mode == chosen else 1.0)
            line.set_label(mode + (" (shown)" if mode == chosen else ""))
        root_d = math.sqrt(latent_dim)
        canvas.typical.set_ydata([root_d, root_d])
        canvas.typical.set_label(f"√d = {root_d:.2f}")
        top = max(root_d, *(float(v.max()) for v in norms.values())) * 1.15
        canvas.ax.set_ylim(0, top)
        canvas.ax.set_yticks(np.arange(0, top, max(1, round(top / 4))))
        canvas.ax.legend(fontsize=7, loc="lower center")
        return outputs.render_png(canvas.figure)


def latent_map_png(mosaic: np.ndarray, codes: np.ndarray, labels: np.ndarray,
                   points: list[tuple[str, np.ndarray]]) -> bytes:
    """Decodes over [-3, 3]^2 | the test digits' codes by class, with the endpoints marked on both."""
    fig = Figure(figsize=(10, 5), dpi=100)
    extent = (-MAP_EXTENT, MAP_EXTENT, -MAP_EXTENT, MAP_EXTENT)
    left = fig.add_axes((0.04, 0.08, 0.43, 0.84))
    left.imshow(mosaic, cmap="gray", extent=extent, vmin=0, vmax=1)
    left.set_title("decoder p(x|z) over the latent plane", fontsize=10)
    right = fig.add_axes((0.53, 0.08, 0.43, 0.84))
    dots = right.scatter(codes[:, 0], codes[:, 1], c=labels, cmap="tab10", vmin=-0.5, vmax=9.5, s=8)
    fig.colorbar(dots, ax=right, ticks=range(10), fraction=0.04, pad=0.02)
    right.set_xlim(-MAP_EXTENT, MAP_EXTENT)
    right.set_ylim(-MAP_EXTENT, MAP_EXTENT)
    right.set_title("encoded test digits (mean of q(z|x)), by class", fontsize=10)
    for ax in (left, right):
        ax.tick_params(labelsize=8)
        for label, z in points:
            ax.scatter([z[0]], [z[1]], marker="*", s=260, c="#ff2d55", edgecolors="white", linewidths=1.2)
            ax.annotate(label, (z[0], z[1]), xytext=(6, 6), textcoords="offset points", color="#ff2d55",
                        fontsize=12, weight="bold")
    return outputs.render_png(fig)
