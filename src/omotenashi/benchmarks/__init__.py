"""Benchmarks behind `omotenashi bench`; every figure is a ratio to a baseline measured in the same run.

They live inside the package (not a top-level folder) so `omotenashi bench` works from any install.
"""
