"""The randomised holdout of each playbook: a fixed share of customers who receive no proactive action from it, so
its outcome can be compared with theirs.

Assignment is random but stable: a keyed hash of (workspace secret, playbook, customer) read as a number in [0, 1).
The same customer stays in the same arm of a playbook for every item, which keeps the comparison clean, and nobody
can predict or steer the arm without the workspace's secret.
"""

from __future__ import annotations

import hashlib
import hmac

from omotenashi.store.care import HOLDOUT, TREATED


def arm(secret: bytes, playbook: str, customer_id: str, share: float) -> str:
    """`holdout` for about `share` of customers, `treated` for the rest."""
    if share <= 0:
        return TREATED
    digest = hmac.new(secret, f"holdout\x00{playbook}\x00{customer_id}".encode(), hashlib.sha256).digest()
    draw = int.from_bytes(digest[:8], "big") / 2**64
    return HOLDOUT if draw < share else TREATED
