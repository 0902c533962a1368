"""The house file (omotenashi.yaml) and the process settings."""
