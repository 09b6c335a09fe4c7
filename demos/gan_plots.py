"""Training curves of the GAN family, from the training_log.json written next to each model's weights."""
from __future__ import annotations

from matplotlib.figure import Figure

COLOURS = ("#7f7f7f", "#1f77b4", "#d62728", "#2ca02c")  # one per model, in row order


def curves_figure(logs: dict[str, list[dict[str, float]]], real_inception: float | None) -> Figure:
    """Top row: each model's mean discriminator and generator loss per log row (own axes: the losses
    are on different scales). Bottom: the classifier's Inception score and Fréchet distance of the
    exported generator over training, all models together."""
    figure = Figure(figsize=(11, 6.2), layout="constrained")
    grid = figure.add_gridspec(2, max(1, len(logs)))
    for column, ((label, rows), colour) in enumerate(zip(logs.items(), COLOURS)):
        axes = figure.add_subplot(grid[0, column])
        steps = [row["step"] for row in rows]
        for key, style in (("d", "-"), ("g", "--")):
            axes.plot(steps, [row.get(key, float("nan")) for row in rows], style, color=colour, lw=1.2,
                      label={"d": "discriminator", "g": "generator"}[key])
        axes.set_title(f"{label} losses", fontsize=10)
        axes.set_xlabel("generator step", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.legend(fontsize=7, frameon=False)
    inception = figure.add_subplot(grid[1, :max(1, len(logs) // 2)])
    frechet = figure.add_subplot(grid[1, max(1, len(logs) // 2):] if len(logs) > 1 else grid[1, 0])
    for (label, rows), colour in zip(logs.items(), COLOURS):
        steps = [row["step"] for row in rows]
        inception.plot(steps, [row.get("inception_score", float("nan")) for row in rows], color=colour, label=label)
        frechet.plot(steps, [row.get("frechet_distance_train", float("nan")) for row in rows], color=colour, label=label)
    if real_inception is not None:
        inception.axhline(real_inception, color="black", lw=0.8, ls=":", label="held-out real digits")
    inception.set_title("Inception score (classifier, 1,000 samples of the EMA generator)", fontsize=10)
    inception.set_ylim(0, 10.2)
    frechet.set_title("Fréchet distance to 1,000 training digits (log scale)", fontsize=10)
    frechet.set_yscale("log")
    for axes in (inception, frechet):
        axes.set_xlabel("generator step", fontsize=8)
        axes.tick_params(labelsize=7)
        axes.legend(fontsize=7, frameon=False)
    return figure
