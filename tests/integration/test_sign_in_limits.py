"""How often one network may try to sign in: staff passwords that fail and portal links asked for, over real HTTP
on SQLite and PostgreSQL, with a real SMTP server for the portal's mail."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from omotenashi.bootstrap import Runtime
from omotenashi.config.settings import SignInLimits
from tests.integration.test_portal import ask_for_link
from tests.integration.test_staff_auth import WRONG, add_staff, client, session_rows, sign_in
from tests.portal_support import aiko, portal_house, smtp_server, use_mail
from tests.support import live_server

TOO_MANY_FAILURES = "Too many failed sign-ins from your network. Please try again in 15 minutes."
TOO_MANY_LINKS = "Too many sign-in links were asked for from your network lately."


@pytest.fixture
def house_file(tmp_path: Path) -> Path:
    return portal_house(tmp_path)


@pytest.fixture
def limited(runtime: Runtime) -> Iterator[str]:
    """A server whose limits are small: 3 failures per account and address, 5 per address, 2 portal links."""
    limits = SignInLimits(staff_failures_per_account=3, staff_failures_per_address=5, portal_links_per_address=2)
    runtime.settings = runtime.settings.model_copy(update={"sign_in_limits": limits})
    with live_server(runtime) as url:
        yield url


def refused(r: httpx.Response) -> None:
    assert r.status_code == 429, r.text
    assert TOO_MANY_FAILURES in r.text
    assert 840 <= int(r.headers["retry-after"]) <= 900


def test_after_too_many_failures_an_account_is_not_checked_from_that_address_even_with_its_password(
    runtime: Runtime, limited: str
) -> None:
    add_staff(runtime)
    add_staff(runtime, "bob@example.com", name="Bob Ito")
    c = client(limited)
    for _ in range(3):
        r = sign_in(c, password="not the password")
        assert r.status_code == 200 and WRONG in r.text
    refused(sign_in(c))  # the right password, but not tried
    assert session_rows(runtime) == []
    # Another account from the same address still signs in: the address's own limit (5) is not reached.
    ok = sign_in(client(limited), "bob@example.com")
    assert ok.status_code == 303 and ok.headers["location"] == "/staff/"
    # Two more failures, on Bob, reach the address's limit: now nobody is checked from here.
    for _ in range(2):
        assert sign_in(client(limited), "bob@example.com", "nope nope nope").status_code == 200
    refused(sign_in(client(limited), "bob@example.com"))
    assert len(session_rows(runtime)) == 1


def test_signing_in_starts_the_accounts_count_again(runtime: Runtime, limited: str) -> None:
    add_staff(runtime)
    c = client(limited)
    for _ in range(2):
        assert sign_in(c, password="not the password").status_code == 200
    assert sign_in(c).status_code == 303
    for _ in range(2):  # without the fresh start, the second of these would be the fourth failure: refused
        r = sign_in(client(limited), password="not the password")
        assert r.status_code == 200 and WRONG in r.text
    assert sign_in(client(limited)).status_code == 303


def test_the_refusal_speaks_the_readers_language(runtime: Runtime, limited: str) -> None:
    add_staff(runtime)
    c = client(limited, **{"Accept-Language": "ja"})
    for _ in range(3):
        sign_in(c, password="not the password")
    r = sign_in(c)
    assert r.status_code == 429
    assert "サインインの失敗が多すぎます" in r.text and "15分後" in r.text


def test_one_network_asking_for_too_many_portal_links_gets_none_sent(runtime: Runtime, limited: str) -> None:
    aiko(runtime)
    with smtp_server() as inbox:
        use_mail(runtime, inbox, base_url=limited)
        assert ask_for_link(limited, "aiko@example.com").status_code == 303
        assert ask_for_link(limited, "nobody@example.com").status_code == 303
        known, unknown = ask_for_link(limited, "aiko@example.com"), ask_for_link(limited, "nobody@example.com")
        for r in (known, unknown):
            assert r.status_code == 429 and TOO_MANY_LINKS in r.text
            assert 840 <= int(r.headers["retry-after"]) <= 900
        # The refusal is about the network, never the address: both answers say the same.
        strip = re.compile(r'value="[^"]+"')  # the addresses typed in and the form tokens
        assert strip.sub("", known.text) == strip.sub("", unknown.text)
        assert len(inbox.wait_for(2, timeout=3)) == 1  # the first request's mail only
