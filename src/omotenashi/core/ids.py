"""Identifiers: write keys, message fingerprints, keyed hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

WRITE_KEY_PREFIX = "wk_"


def new_write_key() -> str:
    """A fresh, high-entropy write key, shown to the user once."""
    return WRITE_KEY_PREFIX + secrets.token_urlsafe(24)


def hash_write_key(key: str) -> str:
    """The stored form of a write key (keys are random, so a fast hash is enough)."""
    return hashlib.sha256(key.encode()).hexdigest()


def id_fingerprint(message_id: str) -> int:
    """A signed 64-bit fingerprint of a messageId, for the windowed dedupe table."""
    digest = hashlib.blake2b(message_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def content_message_id(raw: bytes) -> str:
    """A deterministic messageId for a message that came without one, so retries still dedupe."""
    return "content-" + hashlib.blake2b(raw, digest_size=16).hexdigest()


def keyed_hash(secret: bytes, kind: str, value: str) -> str:
    """HMAC of an identifier, for matching and suppression without keeping it in clear."""
    return hmac.digest(secret, f"{kind}:{value}".encode(), "sha256").hex()  # the C one-shot: same as hmac.new
