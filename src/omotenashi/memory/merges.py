"""Merging and un-merging customers by hand, with a reason, and never joining two different accounts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from omotenashi.core.errors import Conflict, NotFound
from omotenashi.memory.graph import Graph
from omotenashi.store import customers as repo


@dataclass(frozen=True)
class MergeRefused:
    user_ids: list[str]
    why: str


def undo_merge(
    conn: Connection, workspace_id: str, merge_id: int, staff_id: str, reason: str, now_ms: int
) -> repo.Merge:
    """Separate two customers again, exactly as they were before the merge."""
    merge = repo.get_merge(conn, workspace_id, merge_id)
    if merge is None:
        raise NotFound(f"no merge #{merge_id} in this workspace")
    if merge.undone_at is not None:
        raise Conflict(f"merge #{merge_id} was already undone", hint="reload the page")
    if not reason.strip():
        raise Conflict("say why the merge is wrong", hint="the reason is kept with the undo, for the customer too")
    parent = repo.merged_into(conn, workspace_id, [merge.absorbed_id]).get(merge.absorbed_id)
    if parent != merge.survivor_id:
        raise Conflict(f"merge #{merge_id} is no longer the current link", hint="reload the page")
    repo.set_merged_into(conn, workspace_id, merge.absorbed_id, None)
    repo.mark_undone(conn, workspace_id, merge_id, now_ms, staff_id, reason.strip()[:1000])
    undone = repo.get_merge(conn, workspace_id, merge_id)
    assert undone is not None
    return undone


def merge_by_hand(
    conn: Connection, workspace_id: str, survivor: str, absorbed: str, staff_id: str, reason: str, now_ms: int
) -> int:
    """Join two customers a staff member knows are one person; refused when their accounts differ."""
    if not reason.strip():
        raise Conflict("say why these are the same person", hint="the reason is kept as the merge's evidence")
    for cid in (survivor, absorbed):
        if not repo.exists(conn, workspace_id, cid):
            raise NotFound(f"no customer `{cid}` in this workspace")
    graph = Graph(conn, workspace_id)
    a, b = graph.root(survivor), graph.root(absorbed)
    if a == b:
        raise Conflict("these are already one customer")
    why_not = graph.can_merge(b, a)
    if why_not == "different_user_ids":
        ids = sorted(graph.user_ids(a) | graph.user_ids(b))
        raise Conflict(
            "these customers have different userIds, so they are different accounts: not merged",
            hint="if one person really has two accounts, merge the accounts in your own system and send an alias",
            user_ids=ids,
        )
    graph.merge(b, a, "staff", {"reason": reason.strip()[:1000], "staff": staff_id}, now_ms)
    repo.set_merged_into(conn, workspace_id, b, a)
    return repo.record_merge(
        conn, workspace_id, a, b, "staff", {"reason": reason.strip()[:1000]}, now_ms, by_staff=staff_id
    )
