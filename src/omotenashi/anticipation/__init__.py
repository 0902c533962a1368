"""Anticipation: will a customer come back, how often, and why we think so."""
