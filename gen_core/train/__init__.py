"""Training: `python -m gen_core.train FAMILY --out weights/NAME ...` (see gen_core.train.loop)."""
