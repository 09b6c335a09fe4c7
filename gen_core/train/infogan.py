"""Train InfoGAN without labels: non-saturating GAN loss, the mutual-information term, and Q clustering real digits.

Plain InfoGAN (--lambda-cluster 0) let its categorical code split "1" by slant and merge 4/7/9 on
this 4,500-digit split (49% and 58% code -> digit accuracy in two 6,000-step runs). With Q also sorting real digits
into confident, balanced categories that survive small rotations, shifts and zooms (IMSAT), the
generator's code follows those categories (82% for the shipped weights).
"""
from __future__ import annotations

import argparse

import torch
import torch.nn.functional as F

from gen_core.models.infogan import InfoGANConfig, InfoGANDiscriminator, InfoGANGenerator
from gen_core.train.adversarial import EMA, AdversarialTask
from gen_core.train.augment import affine_warp
from gen_core.train.loop import Batch, Runtime, add_mnist_arguments, mnist_stream, unwrap


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_mnist_arguments(parser)
    parser.add_argument("--z-dim", type=int, default=62)
    parser.add_argument("--n-continuous", type=int, default=2)
    parser.add_argument("--width", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=512, help="generator's fully connected layer")
    parser.add_argument("--lr", type=float, default=1e-3, help="generator learning rate (the paper's MNIST value)")
    parser.add_argument("--lr-d", type=float, default=2e-4, help="discriminator and Q learning rate")
    parser.add_argument("--lambda-cat", type=float, default=1.0, help="weight of the categorical information term")
    parser.add_argument("--lambda-cont", type=float, default=1.0,
                        help="weight of the continuous information term (a unit-variance Gaussian Q)")
    parser.add_argument("--lambda-cluster", type=float, default=1.0,
                        help="weight of Q's clustering term on real digits (IMSAT, Hu et al. 2017); 0: plain InfoGAN")
    parser.add_argument("--ema", type=float, default=0.999, help="decay of the exported generator's weight average")
    parser.set_defaults(steps=8000, batch_size=64)  # the shipped infogan-mnist recipe


def information_loss(cat_logits: torch.Tensor, cont_mean: torch.Tensor, categorical: torch.Tensor,
                     continuous: torch.Tensor, lambda_cat: float, lambda_cont: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(weighted -L_I up to the constant H(c), categorical cross-entropy alone).
    -log Q(c|x) = CE(categorical) + sum_j (c_j - mu_j)^2 / 2 for unit-variance Gaussians (constants dropped)."""
    cross_entropy = F.cross_entropy(cat_logits, categorical)
    gaussian = 0.5 * ((continuous - cont_mean) ** 2).sum(1).mean()
    return lambda_cat * cross_entropy + lambda_cont * gaussian, cross_entropy


def clustering_loss(real_logits: torch.Tensor, moved_logits: torch.Tensor, confidence: float = 0.5) -> torch.Tensor:
    """Q as a clusterer of real digits, without labels (IMSAT, Hu et al. 2017):
        KL(Q(c|x) || Q(c|T(x)))  +  confidence * E_x H(Q(c|x))  -  H(E_x Q(c|x)),
    i.e. the same category for a digit and a slightly moved copy T(x), confident categories, and
    every category used equally often in the batch. The InfoGAN term then ties G's categorical code
    to these categories."""
    log_p = real_logits.log_softmax(1)
    p = log_p.exp()
    target = p.detach()
    consistency = (target * (target.clamp_min(1e-12).log() - moved_logits.log_softmax(1))).sum(1).mean()
    conditional_entropy = -(p * log_p).sum(1).mean()
    marginal = p.mean(0)
    marginal_entropy = -(marginal * marginal.clamp_min(1e-12).log()).sum()
    return consistency + confidence * conditional_entropy - marginal_entropy


def random_affine(images: torch.Tensor, generator: torch.Generator, degrees: float = 12.0,
                  shift: float = 0.1, scale: float = 0.1) -> torch.Tensor:
    """Each image rotated, scaled and shifted a little: the four amounts are drawn one after the other
    for the whole batch (the draw order the shipped weights were trained with)."""
    u = torch.stack([torch.rand(len(images), generator=generator) * 2 - 1 for _ in range(4)], 1)
    return affine_warp(images, u.to(images.device), degrees, 2 * shift, scale)  # the image spans [-1, 1]


class InfoGANTask(AdversarialTask):
    def __init__(self, args: argparse.Namespace, runtime: Runtime):
        self.config = InfoGANConfig(z_dim=args.z_dim, n_continuous=args.n_continuous, width=args.width,
                                    hidden=args.hidden)
        self.args = args
        self.generator = runtime.wrap(InfoGANGenerator(self.config))
        self.discriminator = runtime.wrap(InfoGANDiscriminator(self.config))
        self.ema = EMA(unwrap(self.generator), args.ema)
        betas = (0.5, 0.999)
        self.opt_g = torch.optim.Adam(self.generator.parameters(), lr=args.lr, betas=betas)
        self.opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=args.lr_d, betas=betas)

    def step(self, batch: Batch, generator: torch.Generator) -> dict[str, float]:
        images, _ = batch  # the labels are never used
        b, device = len(images), images.device
        z, cat, cont = (t.to(device) for t in unwrap(self.generator).codes(b, generator=generator))
        self.generator.train()
        fake = self.generator(z, cat, cont)
        info = lambda q_cat, q_cont: information_loss(  # noqa: E731
            q_cat, q_cont, cat, cont, self.args.lambda_cat, self.args.lambda_cont)

        # D and Q: real vs fake in one forward; Q learns to read the codes back from the fakes.
        # With the clustering term, moved copies of the real digits ride along in the same forward.
        clustering = self.args.lambda_cluster > 0
        moved = [random_affine(images, generator)] if clustering else []
        logits, q_cat, q_cont = self.discriminator(torch.cat([images, fake.detach(), *moved]))
        info_d, _ = info(q_cat[b:2 * b], q_cont[b:2 * b])
        d_loss = F.softplus(-logits[:b]).mean() + F.softplus(logits[b:2 * b]).mean()
        cluster = clustering_loss(q_cat[:b], q_cat[2 * b:]) if clustering else torch.zeros((), device=device)
        self.opt_d.zero_grad(set_to_none=True)
        (d_loss + info_d + self.args.lambda_cluster * cluster).backward()
        self.opt_d.step()

        # G: non-saturating loss, and make the codes readable (maximize the bound on I(c; G(z, c))).
        logits, q_cat, q_cont = self.discriminator(fake)
        info_g, cross_entropy = info(q_cat, q_cont)
        g_loss = F.softplus(-logits).mean()
        self.opt_g.zero_grad(set_to_none=True)
        (g_loss + info_g).backward()
        self.opt_g.step()
        self.ema.update(unwrap(self.generator))
        return {"d": d_loss.item(), "g": g_loss.item(), "ce": cross_entropy.item(), "cluster": cluster.item()}


def build(args: argparse.Namespace, runtime: Runtime) -> InfoGANTask:
    return InfoGANTask(args, runtime)


stream = mnist_stream
