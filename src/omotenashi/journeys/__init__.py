"""Journeys: each customer's stage and step, transition-time baselines per cohort, and the journey map."""
