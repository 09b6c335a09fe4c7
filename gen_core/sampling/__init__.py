"""The samplers several families share, as functions of a score or a drift, never of a model class:
Langevin dynamics (plain, masked and clipped, annealed over noise levels), the denoising score-matching
loss for tensors of any shape, and fixed-step and adaptive integrators of ODEs and SDEs (for the
probability-flow ODE and reverse-time SDE of score-based diffusion)."""
from gen_core.sampling.dsm import dsm_loss, energy_score
from gen_core.sampling.integrators import dopri5, euler, euler_maruyama, heun
from gen_core.sampling.langevin import annealed_langevin, langevin

__all__ = ["annealed_langevin", "dopri5", "dsm_loss", "energy_score", "euler", "euler_maruyama", "heun", "langevin"]
