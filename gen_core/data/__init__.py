"""Datasets used by gen_core's models."""
