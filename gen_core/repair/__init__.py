"""Repair digits with a VAE's learned prior: inpainting, super-resolution and denoising as sampling
from p(x | y), the clean digit given what was seen, and how likely the truth is under it.

    from gen_core.repair import Corruption, complete
    seen = Corruption("hide bottom", 14).observe(x)
    fixed = complete(vae, seen.y, seen.observed, method="mwg", steps=50)
"""
from gen_core.repair.corruptions import KINDS, STANDARD, Corruption
from gen_core.repair.evidence import Evidence
from gen_core.repair.likelihood import Estimate, conditional_log_prob
from gen_core.repair.samplers import METHOD_NAMES, METHODS, Step, chain, complete

__all__ = ["Corruption", "Estimate", "Evidence", "KINDS", "METHODS", "METHOD_NAMES", "STANDARD", "Step", "chain",
           "complete", "conditional_log_prob"]
