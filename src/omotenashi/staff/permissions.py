"""What each role may do, as data: one matrix to read, test and show, and one function that enforces it."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from omotenashi.core.errors import Forbidden
from omotenashi.i18n import N_


class Role(StrEnum):
    FRONTLINE = "frontline"
    LEAD = "lead"
    PRIVACY_OFFICER = "privacy_officer"
    ADMIN = "admin"


class Action(StrEnum):
    VIEW_CUSTOMER = "view_customer"
    WRITE_NOTE = "write_note"
    MERGE = "merge"
    UNDO_MERGE = "undo_merge"
    RESOLVE_CONFLICT = "resolve_conflict"
    VIEW_ACCESS_LOG = "view_access_log"
    MANAGE_STAFF = "manage_staff"
    HANDLE_RIGHTS_REQUESTS = "handle_rights_requests"
    WORK_CARE = "work_care"
    ASSIGN_CARE = "assign_care"
    GRANT_GOODWILL = "grant_goodwill"
    APPROVE_GOODWILL = "approve_goodwill"


_EVERYONE = frozenset(Role)

MATRIX: dict[Action, frozenset[Role]] = {
    Action.VIEW_CUSTOMER: _EVERYONE,
    Action.WRITE_NOTE: frozenset({Role.FRONTLINE, Role.LEAD, Role.ADMIN}),
    Action.MERGE: frozenset({Role.LEAD, Role.ADMIN}),
    Action.UNDO_MERGE: frozenset({Role.LEAD, Role.ADMIN}),
    Action.RESOLVE_CONFLICT: frozenset({Role.LEAD, Role.ADMIN}),
    Action.VIEW_ACCESS_LOG: frozenset({Role.PRIVACY_OFFICER, Role.ADMIN}),
    Action.MANAGE_STAFF: frozenset({Role.ADMIN}),
    Action.HANDLE_RIGHTS_REQUESTS: frozenset({Role.PRIVACY_OFFICER, Role.ADMIN}),
    Action.WORK_CARE: frozenset({Role.FRONTLINE, Role.LEAD, Role.ADMIN}),
    Action.ASSIGN_CARE: frozenset({Role.LEAD, Role.ADMIN}),
    Action.GRANT_GOODWILL: frozenset({Role.FRONTLINE, Role.LEAD, Role.ADMIN}),
    Action.APPROVE_GOODWILL: frozenset({Role.LEAD, Role.ADMIN}),
}

# Shown to staff; translated where shown (`_(ROLE_LABELS[role])`).
ROLE_LABELS: dict[Role, str] = {
    Role.FRONTLINE: N_("Frontline"),
    Role.LEAD: N_("Team lead"),
    Role.PRIVACY_OFFICER: N_("Privacy officer"),
    Role.ADMIN: N_("Administrator"),
}

ACTION_LABELS: dict[Action, str] = {
    Action.VIEW_CUSTOMER: N_("View customers"),
    Action.WRITE_NOTE: N_("Write notes"),
    Action.MERGE: N_("Merge customers"),
    Action.UNDO_MERGE: N_("Undo merges"),
    Action.RESOLVE_CONFLICT: N_("Resolve identity conflicts"),
    Action.VIEW_ACCESS_LOG: N_("Read the access log"),
    Action.MANAGE_STAFF: N_("Manage staff"),
    Action.HANDLE_RIGHTS_REQUESTS: N_("Handle rights requests"),
    Action.WORK_CARE: N_("Work care items"),
    Action.ASSIGN_CARE: N_("Assign anyone's care items"),
    Action.GRANT_GOODWILL: N_("Grant goodwill within a budget"),
    Action.APPROVE_GOODWILL: N_("Approve goodwill above the threshold"),
}


class HasRole(Protocol):
    @property
    def role(self) -> str: ...


def allowed(role: str, action: Action | str) -> bool:
    """Whether a role may take an action (unknown roles and actions may do nothing)."""
    try:
        return Role(role) in MATRIX[Action(action)]
    except ValueError:
        return False


def allowed_actions(role: str) -> list[Action]:
    """Everything a role may do, in the matrix's order, to show a staff member what their role allows."""
    return [action for action in MATRIX if allowed(role, action)]


def require(staff: HasRole, action: Action | str) -> None:
    """Stop here, with `Forbidden`, unless the staff member's role allows the action."""
    if not allowed(staff.role, action):
        known = action in {a.value for a in Action}
        who = sorted(r.value for r in MATRIX[Action(action)]) if known else []
        raise Forbidden(
            f"the role `{staff.role}` may not {action}",
            hint=f"roles that may: {', '.join(who)}" if who else None,
            action=str(action),
            role=staff.role,
        )
