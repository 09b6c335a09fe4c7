"""Every shipped model that samples gives, for the same seed, byte for byte the samples it gave before the
shared sampling layer and the one sampling contract (sample_digests.json was written by the code before
them, on this protocol): 2 samples, seed 0, one torch thread (the thread count changes the order of
sums), the digits 3 and 7 as `labels=` where the family can be told a digit. A change of weights or of a
sampler that moves any of them is caught here; rewrite a model's digest only with its new weights, and add
one for a new model once it ships."""
import hashlib
import json
from pathlib import Path

import pytest
import torch

import gen_core
from gen_core.hub import REGISTRY
from gen_core.models import RECORDS

DIGESTS = json.loads((Path(__file__).parent / "sample_digests.json").read_text())
SAMPLERS = sorted(name for name, entry in REGISTRY.items() if RECORDS[entry.family].samples)


def test_every_recorded_digest_is_a_shipped_sampler():
    assert set(DIGESTS) <= set(SAMPLERS), sorted(set(DIGESTS) - set(SAMPLERS))


@pytest.mark.parametrize("name", sorted(DIGESTS))
def test_samples_are_byte_identical_to_the_recorded_ones(name):
    model = gen_core.load(name, device="cpu")
    conditions = {"labels": torch.tensor([3, 7])} if "labels" in model.conditions else {}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        x = model.sample(2, generator=torch.Generator().manual_seed(0), **conditions)
    finally:
        torch.set_num_threads(threads)
    assert hashlib.sha256(x.detach().contiguous().numpy().tobytes()).hexdigest() == DIGESTS[name]
