"""Audio helpers shared by the speech models, their trainers and the app: log-mel spectrograms in pure
torch, 16-bit PCM, and energy-centred clips."""
from __future__ import annotations

import io
import math
import wave

import numpy as np
import torch

SAMPLE_RATE = 16_000           # Hz, as SC09
CLIP_SAMPLES = 16_384          # 1.024 s: the length WaveGAN generates
N_FFT, HOP, N_MELS = 512, 256, 40


def _hz_to_mel(hz: torch.Tensor) -> torch.Tensor:
    return 2595 * torch.log10(1 + hz / 700)


def mel_filterbank(sample_rate: int, n_fft: int = N_FFT, n_mels: int = N_MELS, fmin: float = 20.0) -> torch.Tensor:
    """Triangular HTK-mel filters, (n_mels, n_fft // 2 + 1), each peaking at 1."""
    freqs = torch.linspace(0, sample_rate / 2, n_fft // 2 + 1, dtype=torch.float64)
    edges_mel = torch.linspace(float(_hz_to_mel(torch.tensor(fmin))), float(_hz_to_mel(torch.tensor(sample_rate / 2))),
                               n_mels + 2, dtype=torch.float64)
    edges = 700 * (10 ** (edges_mel / 2595) - 1)
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs - lower) / (centre - lower)
    falling = (upper - freqs) / (upper - centre)
    return torch.clamp(torch.minimum(rising, falling), min=0).float()


def log_mel(waveforms: torch.Tensor, sample_rate: int) -> torch.Tensor:
    """(n, samples) in [-1, 1] -> (n, 1, N_MELS, frames) log-mel power in dB/10 (about -10 .. 1)."""
    window = torch.hann_window(N_FFT, device=waveforms.device)
    spec = torch.stft(waveforms, N_FFT, HOP, window=window, return_complex=True).abs() ** 2
    mel = mel_filterbank(sample_rate).to(waveforms.device) @ spec
    return torch.log10(mel + 1e-10 * math.e).unsqueeze(1)


def to_int16(waveform: torch.Tensor | np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] -> 16-bit PCM: clipped to [-1, 1] (NaN to silence), scaled by 32767, rounded."""
    audio = np.nan_to_num(np.asarray(waveform, dtype=np.float32), nan=0.0)
    return (np.clip(audio, -1, 1) * 32767).round().astype(np.int16)


def wav_bytes(waveform: torch.Tensor | np.ndarray, sample_rate: int) -> bytes:
    """Float audio in [-1, 1] -> a mono 16-bit PCM WAV file's bytes (the same bytes for the same audio)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_int16(waveform).astype("<i2").tobytes())
    return buffer.getvalue()


def center_clips(audio: torch.Tensor) -> torch.Tensor:
    """Roll each clip (N, samples) circularly so the centroid of its energy sits mid-clip: the generator
    then learns words, not also where in the second they start. Clips hold silence and light noise
    around the word, so the wrap-around is inaudible."""
    n = audio.shape[1]
    energy = audio.double() ** 2
    centroid = (energy * torch.arange(n, dtype=torch.float64)).sum(1) / energy.sum(1).clamp_min(1e-12)
    shifts = (n // 2 - centroid.round().long()).tolist()
    return torch.stack([clip.roll(shift) for clip, shift in zip(audio, shifts)])
