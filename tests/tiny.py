"""Tiny random models of every family, saved and loaded as shipped weights are (so each has its
Source), for the model contract test and for building any tab alone without the shipped weights."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import torch

import gen_core
from demos.lab import Models
from gen_core.hub import REGISTRY
from gen_core.models import FAMILIES
from gen_core.models.cgan import CGANConfig
from gen_core.models.classifier import ClassifierConfig
from gen_core.models.digit_energy import DigitEnergyConfig
from gen_core.models.energy import EnergyConfig
from gen_core.models.flows import FlowConfig
from gen_core.models.gan import GANConfig
from gen_core.models.infogan import InfoGANConfig
from gen_core.models.made import MADEConfig
from gen_core.models.pixelcnn import PixelCNNConfig
from gen_core.models.speech_classifier import SpeechClassifierConfig
from gen_core.models.vae import VAEConfig
from gen_core.models.wavegan import WaveGANConfig

TINY_CONFIGS = {
    "cgan": CGANConfig(z_dim=8, width=4, data="tiny"),
    "classifier": ClassifierConfig(feature_dim=16, data="tiny"),
    "digit-energy": DigitEnergyConfig(width=2, sampler_steps=3, replay_states=4, data="tiny"),
    "energy": EnergyConfig(density="moons", hidden=8, layers=2, noise_levels=3, sampler_steps=6, data="tiny"),
    "flow": FlowConfig(density="moons", n_couplings=4, hidden=8, bins=4, data="tiny"),
    "gan": GANConfig(architecture="mlp", z_dim=8, width=4, data="tiny"),
    "infogan": InfoGANConfig(z_dim=8, width=4, hidden=16, digit_of_code=[9, 8, 7, 6, 5, 4, 3, 2, 1, 0], data="tiny"),
    "made": MADEConfig(hidden=16, layers=2, data="tiny"),
    "pixelcnn": PixelCNNConfig(channels=4, layers=3, kernel=3, head=16, data="tiny"),
    "speech-classifier": SpeechClassifierConfig(width=4, data="tiny"),
    "vae": VAEConfig(latent_dim=4, width=4, hidden=16, data="tiny"),
    "wavegan": WaveGANConfig(z_dim=8, width=2, data="tiny"),
}


def _changes(name: str) -> dict:
    """What a registered name needs of its family's tiny config (the density, the variant, a 2-d code)."""
    if name.startswith("flow-"):
        return {"density": name.removeprefix("flow-")}
    if REGISTRY[name].family == "energy":   # ebm-<density>-<method>; ebm-mnist is a digit energy
        density, method = name.removeprefix("ebm-").rsplit("-", 1)
        return {"density": density, "method": method}
    if REGISTRY[name].family == "gan":
        variant = name.removesuffix("-mnist")
        return {"variant": variant, "architecture": "mlp" if variant == "gan" else "conv"}
    return {"latent_dim": 2} if name == "vae-mnist-2d" else {}


def tiny_model(family: str, directory: Path, seed: int = 0, **changes) -> gen_core.HubModel:
    """A random model of `family` with its tiny config, written to `directory` and loaded from there."""
    torch.manual_seed(seed)
    FAMILIES[family](dataclasses.replace(TINY_CONFIGS[family], **changes)).save_pretrained(directory)
    return gen_core.load(str(directory), device="cpu")


def tiny_models(root: Path, names: list[str] | tuple[str, ...]) -> Models:
    """Models for registered `names`, each a tiny random model of its family, saved under `root`."""
    return Models({name: tiny_model(REGISTRY[name].family, root / name, **_changes(name)) for name in names})
