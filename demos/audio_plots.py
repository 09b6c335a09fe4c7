"""Figures for the WaveGAN tab, as PNG bytes: waveforms and the log-mel spectrograms that the speech
classifier (the evaluator) sees. matplotlib's object API on reused canvases (outputs.FigurePool)."""
from __future__ import annotations

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from demos import outputs
from gen_core.audio import HOP, N_MELS, log_mel

MEL_RANGE = (-4.0, 3.5)   # log10 power: below the clips' noise floor .. loud speech
ENVELOPE_BINS = 1200      # the waveform is drawn as its min/max per bin: as seen at this size, far fewer points


def envelope(audio: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(times, values) that trace the min and max of each of ENVELOPE_BINS stretches of the clip."""
    bins = min(ENVELOPE_BINS, len(audio))
    edges = np.linspace(0, len(audio), bins + 1).astype(int)
    low, high = np.minimum.reduceat(audio, edges[:-1]), np.maximum.reduceat(audio, edges[:-1])
    times = np.repeat(edges[:-1] / sample_rate, 2)
    return times, np.stack([low, high], 1).ravel()


def spectrogram(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """(samples,) float -> (N_MELS, frames) log-mel, clipped to MEL_RANGE for a stable colour scale."""
    mel = log_mel(torch.as_tensor(audio, dtype=torch.float32).unsqueeze(0), sample_rate)[0, 0]
    return mel.clamp(*MEL_RANGE).numpy()


class _Row:
    """One clip: waveform on the left, log-mel spectrogram on the right."""

    def __init__(self, figure: Figure, bottom: float, height: float):
        self.wave_ax = figure.add_axes((0.07, bottom, 0.38, height))
        self.mel_ax = figure.add_axes((0.53, bottom, 0.44, height))
        self.line, = self.wave_ax.plot([0, 1], [0, 0], lw=0.5, color="#1f77b4")
        self.wave_ax.set_ylim(-1.05, 1.05)
        self.wave_ax.set_yticks((-1, 0, 1))
        self.image = self.mel_ax.imshow(np.zeros((N_MELS, 2)), origin="lower", aspect="auto", cmap="magma",
                                        vmin=MEL_RANGE[0], vmax=MEL_RANGE[1], interpolation="nearest")
        self.mel_ax.set_ylabel("mel band", fontsize=8)
        self.mel_ax.set_yticks((0, N_MELS // 2, N_MELS - 1))
        for ax in (self.wave_ax, self.mel_ax):
            ax.tick_params(labelsize=7)
            ax.xaxis.set_major_locator(MaxNLocator(5))  # few tick labels: text is most of the drawing time

    def show(self, audio: np.ndarray, sample_rate: int, title: str, xlabel: bool) -> None:
        seconds = len(audio) / sample_rate
        self.line.set_data(*envelope(audio, sample_rate))
        self.wave_ax.set_xlim(0, seconds)
        mel = spectrogram(audio, sample_rate)
        self.image.set_data(mel)
        self.image.set_extent((0, mel.shape[1] * HOP / sample_rate, -0.5, N_MELS - 0.5))
        self.mel_ax.set_xlim(0, seconds)
        self.wave_ax.set_title(f"{title}: waveform", fontsize=9, loc="left")
        self.mel_ax.set_title(f"{title}: log-mel spectrogram", fontsize=9, loc="left")
        for ax in (self.wave_ax, self.mel_ax):
            ax.set_xlabel("seconds" if xlabel else "", fontsize=8)


class _CompareCanvas:
    def __init__(self):
        self.figure = Figure(figsize=(9.0, 4.6), dpi=100)
        self.rows = (_Row(self.figure, 0.6, 0.32), _Row(self.figure, 0.1, 0.32))


class _MorphCanvas:
    def __init__(self):
        self.figure = Figure(figsize=(12.0, 2.8), dpi=100)
        self.row = _Row(self.figure, 0.17, 0.7)


_compare = outputs.FigurePool(_CompareCanvas)
_morph = outputs.FigurePool(_MorphCanvas)


def compare_png(generated: np.ndarray, real: np.ndarray, sample_rate: int, generated_title: str,
                real_title: str) -> bytes:
    """Generated clip above a real clip, each as waveform | log-mel spectrogram, on shared scales."""
    with _compare.borrow() as canvas:
        canvas.rows[0].show(generated, sample_rate, generated_title, xlabel=False)
        canvas.rows[1].show(real, sample_rate, real_title, xlabel=True)
        return outputs.render_png(canvas.figure)


def morph_png(audio: np.ndarray, sample_rate: int, steps: int, title: str) -> bytes:
    """A morph's clips played in a row, with a dashed line where each clip starts."""
    with _morph.borrow() as canvas:
        canvas.row.show(audio, sample_rate, title, xlabel=True)
        for ax in (canvas.row.wave_ax, canvas.row.mel_ax):
            for line in ax.lines[1 if ax is canvas.row.wave_ax else 0:]:
                line.remove()
            clip_seconds = len(audio) / steps / sample_rate
            for k in range(1, steps):
                ax.axvline(k * clip_seconds, color="#cccccc", ls="--", lw=0.8)
        return outputs.render_png(canvas.figure)
