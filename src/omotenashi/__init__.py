"""omotenashi: anticipatory customer care on first-party data."""

__version__ = "0.1.0"
