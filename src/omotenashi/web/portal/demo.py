"""In the demo only: a few demo customers to open the portal as, with links signed on the fly like the company's
app would sign them, so a newcomer can try the portal without an e-mail account."""

from __future__ import annotations

import time
from dataclasses import dataclass

from omotenashi.bootstrap import Runtime
from omotenashi.privacy import links
from omotenashi.store import customer_events, workspaces
from omotenashi.store import customers as repo

# The demo's web customers have e-mail addresses `customer-<id>@example.com`.
DEMO_TERM = "customer-"


@dataclass(frozen=True)
class DemoEntry:
    name: str
    user_id: str
    path: str


def demo_entries(runtime: Runtime, count: int = 3) -> list[DemoEntry]:
    """Signed portal links (valid for 10 minutes) for a few demo customers with a userId and a name."""
    wid = next(iter(runtime.houses))
    with runtime.engines.read.connect() as conn:
        key = links.link_key(workspaces.workspace_secret(conn, wid))
        roots: list[str] = []
        for base in customer_events.search(conn, wid, DEMO_TERM, limit=40):
            root = repo.root_of(conn, wid, base)
            if root not in roots:
                roots.append(root)
        people: list[tuple[str, str]] = []
        for root in roots:
            ids = repo.identities_of(conn, wid, repo.members_of(conn, wid, root))
            user = next((i.value for i in sorted(ids, key=lambda i: i.value) if i.kind == "user_id"), None)
            if user is not None:
                people.append((root, user))
    out = []
    now_s = int(time.time())
    for root, user in people:
        knowledge = runtime.privacy.knowledge(wid, root)
        name = next((str(t.value) for t in knowledge.traits if t.label == "name"), None)
        if name is None:
            continue
        path = links.signed_link("", key, wid, user, now_s=now_s, valid_for=links.SIGNED_LINK_MAX)
        out.append(DemoEntry(name, user, path))
        if len(out) == count:
            break
    return out
