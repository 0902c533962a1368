"""Real public data sets the demo, tests and benchmarks use (never synthetic data)."""
