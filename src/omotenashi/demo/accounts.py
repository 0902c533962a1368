"""The demo's staff accounts, one per role, and their published password."""

from __future__ import annotations

DEMO_PASSWORD = "omotenashi-demo"  # noqa: S105 - the demo's published password, printed for the newcomer
DEMO_STAFF = (
    ("lead@demo.example", "Haruka Mori", "lead", "ja"),
    ("frontline@demo.example", "Sam Rivera", "frontline", "en"),
    ("privacy@demo.example", "Noor Haddad", "privacy_officer", "en"),
    ("admin@demo.example", "Alex Kim", "admin", "en"),
)
