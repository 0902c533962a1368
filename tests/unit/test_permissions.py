"""The role matrix: who may do what, and `require` refusing with `Forbidden`."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from omotenashi.core.errors import Forbidden
from omotenashi.staff.permissions import ACTION_LABELS, MATRIX, ROLE_LABELS, Action, Role, allowed, require

EXPECTED = {
    "view_customer": {"frontline", "lead", "privacy_officer", "admin"},
    "write_note": {"frontline", "lead", "admin"},
    "merge": {"lead", "admin"},
    "undo_merge": {"lead", "admin"},
    "resolve_conflict": {"lead", "admin"},
    "view_access_log": {"privacy_officer", "admin"},
    "manage_staff": {"admin"},
    "handle_rights_requests": {"privacy_officer", "admin"},
    "work_care": {"frontline", "lead", "admin"},
    "assign_care": {"lead", "admin"},
    "grant_goodwill": {"frontline", "lead", "admin"},
    "approve_goodwill": {"lead", "admin"},
}


@dataclass(frozen=True)
class Member:
    role: str


def test_the_matrix_is_exactly_the_agreed_one():
    assert {a.value: {r.value for r in roles} for a, roles in MATRIX.items()} == EXPECTED
    assert set(ACTION_LABELS) == set(Action) and set(ROLE_LABELS) == set(Role)


@pytest.mark.parametrize("action", sorted(EXPECTED))
@pytest.mark.parametrize("role", ["frontline", "lead", "privacy_officer", "admin"])
def test_require_lets_through_exactly_the_roles_of_the_matrix(role, action):
    if role in EXPECTED[action]:
        require(Member(role), action)
        assert allowed(role, action)
        return
    with pytest.raises(Forbidden) as caught:
        require(Member(role), action)
    body = caught.value.as_dict()
    assert body["code"] == "forbidden" and body["action"] == action and body["role"] == role
    assert "admin" in body["hint"]


def test_unknown_roles_and_actions_may_do_nothing():
    assert not allowed("owner", "view_customer")
    assert not allowed("admin", "launch_rockets")
    with pytest.raises(Forbidden):
        require(Member("admin"), "launch_rockets")
    with pytest.raises(Forbidden):
        require(Member(""), Action.VIEW_CUSTOMER)
