"""Signed portal links and the notice's blocks, without I/O."""

from __future__ import annotations

import pytest

from omotenashi.privacy import links
from omotenashi.privacy.links import LinkExpired, LinkRefused
from omotenashi.web.portal.notice_view import blocks, inline

KEY = links.link_key(b"s" * 32)
NOW = 1_800_000_000


def sig(user: str = "42", exp: int = NOW + 300, workspace: str = "shop") -> str:
    return links.signature(KEY, workspace, user, exp)


def test_the_link_key_is_derived_and_is_not_the_secret() -> None:
    secret = b"s" * 32
    assert links.link_key(secret) != secret and len(links.link_key(secret)) == 32
    assert links.link_key(secret) == links.link_key(secret) != links.link_key(b"t" * 32)


def test_a_good_signature_passes_until_it_expires() -> None:
    assert links.check_signed(KEY, "shop", "42", str(NOW + 300), sig(), now_s=NOW) == NOW + 300
    assert links.check_signed(KEY, "shop", "42", str(NOW + 300), sig().upper(), now_s=NOW) == NOW + 300
    with pytest.raises(LinkExpired):
        links.check_signed(KEY, "shop", "42", str(NOW + 300), sig(), now_s=NOW + 300)


@pytest.mark.parametrize(
    ("workspace", "user", "exp", "signature"),
    [
        ("shop", "43", str(NOW + 300), sig()),  # another user
        ("other", "42", str(NOW + 300), sig()),  # another workspace
        ("shop", "42", str(NOW + 301), sig()),  # a longer life
        ("shop", "42", str(NOW + 300), sig()[:-1]),  # cut short
        ("shop", "42", str(NOW + 300), ""),
        ("shop", "42", "soon", sig()),
        ("shop", "", str(NOW + 300), sig(user="")),
        ("shop", "42", str(NOW + 3600), sig(exp=NOW + 3600)),  # signed, but for far too long
    ],
)
def test_anything_changed_or_too_long_lived_is_refused(workspace: str, user: str, exp: str, signature: str) -> None:
    with pytest.raises(LinkRefused) as caught:
        links.check_signed(KEY, workspace, user, exp, signature, now_s=NOW)
    assert not isinstance(caught.value, LinkExpired)


def test_the_notice_markdown_becomes_blocks() -> None:
    assert inline("- **Orders**: kept") == [(False, "- "), (True, "Orders"), (False, ": kept")]
    assert inline("a ** b") == [(False, "a ** b")]
    found = blocks(["### **Service**", "- one", "- **two**", "plain <b>text</b>"])
    assert [b.kind for b in found] == ["h3", "ul", "p"]
    assert found[1].items == [[(False, "one")], [(True, "two")]]
    assert found[2].parts == [(False, "plain <b>text</b>")]  # escaped by the template, never markup
