"""Purposes: why an event may be kept, and what the customer said about it."""

from __future__ import annotations

from enum import StrEnum

CORE_PURPOSES = ("service", "care", "personalization", "analytics", "marketing")


class Mechanism(StrEnum):
    """How consent for a purpose is obtained."""

    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"
    NOTICE_ONLY = "notice_only"


class LegalBasis(StrEnum):
    """The legal basis a purpose rests on (GDPR Art. 6 wording, used worldwide as a vocabulary)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_INTEREST = "public_interest"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class ConsentStatus(StrEnum):
    """What a customer said about one purpose."""

    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


class ConsentMethod(StrEnum):
    """Where a consent change came from."""

    TRACKER = "tracker"
    PORTAL = "portal"
    STAFF = "staff"
    GPC = "gpc"
    IMPORT = "import"


CONSENT_GRANTED_EVENT = "Consent Granted"
CONSENT_WITHDRAWN_EVENT = "Consent Withdrawn"
