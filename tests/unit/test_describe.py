"""Events in plain words for staff, in English and Japanese, whatever a tracker put into them."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omotenashi.memory.describe import EventView, describe
from omotenashi.memory.values import TEXT_LIMIT


def track(event: Any, **properties: Any) -> EventView:
    return EventView(type="track", event=event, properties=properties)


# (event, English, Japanese)
CASES: list[tuple[EventView, str, str]] = [
    # E-commerce
    (track("Products Searched", query="refund"), "Searched for “refund”", "「refund」を検索"),
    (track("Products Searched"), "Searched the products", "商品を検索"),
    (track("Product List Viewed", category="Tea"), "Browsed the product list “Tea”", "商品一覧「Tea」を閲覧"),
    (track("Product Viewed", name="Green Tea"), "Viewed the product “Green Tea”", "商品「Green Tea」を閲覧"),
    (track("Product Viewed"), "Viewed a product", "商品を閲覧"),
    (track("Product Clicked", name="煎茶"), "Clicked the product “煎茶”", "商品「煎茶」をクリック"),
    (track("Product Added", quantity=2), "Added 2 items to cart", "カートに2点追加"),
    (track("Product Added", quantity=1), "Added 1 item to cart", "カートに1点追加"),
    (track("Product Added"), "Added an item to cart", "カートに商品を追加"),
    (track("Product Added", name="Green Tea"), "Added “Green Tea” to cart", "商品「Green Tea」をカートに追加"),
    (
        track("Product Added", name="Green Tea", quantity=3),
        "Added 3 × “Green Tea” to cart",
        "商品「Green Tea」を3点カートに追加",
    ),
    (track("Product Added", quantity=1200), "Added 1,200 items to cart", "カートに1,200点追加"),
    (track("Product Removed", quantity=2), "Removed 2 items from cart", "カートから2点削除"),
    (track("Product Removed", name="Mug"), "Removed “Mug” from cart", "商品「Mug」をカートから削除"),
    (track("Product Removed"), "Removed an item from cart", "カートから商品を削除"),
    (
        track("Cart Viewed", products=[{"quantity": 2}, {"name": "x"}]),
        "Viewed their cart (3 items)",
        "カートを表示（3点）",
    ),
    (track("Cart Viewed"), "Viewed their cart", "カートを表示"),
    (
        track("Checkout Started", revenue=30, products=[{}]),
        "Started checkout of $30.00 (1 item)",
        "30.00米ドルの購入手続きを開始（1点）",
    ),
    (track("Checkout Started"), "Started checkout", "購入手続きを開始"),
    (track("Checkout Step Viewed", step=2), "Reached checkout step 2", "購入手続きのステップ2を表示"),
    (track("Checkout Step Completed", step="3"), "Completed checkout step 3", "購入手続きのステップ3を完了"),
    (track("Checkout Step Viewed", step="two"), "Reached checkout step", "購入手続きのステップを表示"),
    (track("Payment Info Entered"), "Entered payment details", "支払い情報を入力"),
    (
        track("Order Completed", total=30, currency="USD", products=[{"quantity": 2}, {"quantity": 1}]),
        "Completed an order of $30.00 (3 items)",
        "30.00米ドルの注文を完了（3点）",
    ),
    (track("Order Completed", total=3000, currency="JPY"), "Completed an order of ¥3,000", "3,000円の注文を完了"),
    (track("Order Completed", total=12.5, currency="eur"), "Completed an order of €12.50", "12.50ユーロの注文を完了"),
    (track("Order Completed", revenue="19.99"), "Completed an order of $19.99", "19.99米ドルの注文を完了"),
    (track("Order Completed", total=0), "Completed an order of $0.00", "0.00米ドルの注文を完了"),
    (
        track("Order Completed", total=1234567.891),
        "Completed an order of $1,234,567.89",
        "1,234,567.89米ドルの注文を完了",
    ),
    (track("Order Completed"), "Completed an order", "注文を完了"),
    (track("Order Completed", products=[{}, {}]), "Completed an order (2 items)", "注文を完了（2点）"),
    (track("Order Refunded", total=30), "Received a refund of $30.00", "30.00米ドルの返金を受領"),
    (track("Order Refunded", total=-30), "Received a refund of $30.00", "30.00米ドルの返金を受領"),
    (track("Order Refunded"), "Received a refund", "返金を受領"),
    (
        track("Order Cancelled", total=45, currency="GBP"),
        "Cancelled an order of £45.00",
        "45.00英国ポンドの注文をキャンセル",
    ),
    (track("Order Cancelled"), "Cancelled an order", "注文をキャンセル"),
    (track("Order Updated"), "Changed an order", "注文を変更"),
    (track("Coupon Applied", coupon_name="SPRING"), "Applied the coupon “SPRING”", "クーポン「SPRING」を適用"),
    (track("Coupon Applied", coupon_id=12345), "Applied the coupon “12345”", "クーポン「12345」を適用"),
    (track("Coupon Applied"), "Applied a coupon", "クーポンを適用"),
    (
        track("Coupon Denied", coupon_name="OLD"),
        "Tried the coupon “OLD”, which was declined",
        "クーポン「OLD」の適用に失敗",
    ),
    (track("Product Added to Wishlist", name="Mug"), "Added “Mug” to their wishlist", "商品「Mug」をお気に入りに追加"),
    # B2B SaaS
    (track("Account Created"), "Created an account", "アカウントを作成"),
    (track("Account Created", account_name="Acme"), "Created the account “Acme”", "アカウント「Acme」を作成"),
    (track("Signed Up"), "Signed up", "新規登録"),
    (track("Signed In"), "Signed in", "ログイン"),
    (track("Signed Out"), "Signed out", "ログアウト"),
    (track("Trial Started", trial_plan_name="Pro"), "Started a trial of “Pro”", "プラン「Pro」のトライアルを開始"),
    (track("Trial Started"), "Started a trial", "トライアルを開始"),
    (track("Trial Ended"), "Their trial ended", "トライアルが終了"),
    (track("Invite Sent", invitee_email="friend@example.com"), "Sent an invitation", "招待を送信"),
    (track("Account Deleted"), "Deleted their account", "アカウントを削除"),
    # Video
    (track("Video Playback Started"), "Started a video", "動画を再生"),
    (track("Video Playback Paused"), "Paused a video", "動画を一時停止"),
    (track("Video Playback Buffer Started"), "A video stalled while loading", "動画が読み込み待ちで停止"),
    (
        track("Video Content Started", title="Getting started"),
        "Started watching “Getting started”",
        "動画「Getting started」の視聴を開始",
    ),
    (track("Video Content Completed"), "Finished watching a video", "動画を最後まで視聴"),
    (track("Video Playback Completed"), "Finished a video", "動画を最後まで再生"),
    # Help and support, consent
    (
        track("Ticket Created", subject="Can't log in"),
        "Opened a support ticket: “Can't log in”",
        "問い合わせ「Can't log in」を送信",
    ),
    (track("Ticket Created"), "Opened a support ticket", "問い合わせを送信"),
    (
        track("Ticket Resolved", subject="ログインできない"),
        "Support ticket resolved: “ログインできない”",
        "問い合わせ「ログインできない」が解決",
    ),
    (
        track("Article Viewed", title="Reset your password"),
        "Read the help article “Reset your password”",
        "ヘルプ記事「Reset your password」を閲覧",
    ),
    (track("Chat Started"), "Started a chat with support", "サポートとのチャットを開始"),
    (track("Chat Message Sent", text="my card number is 4111…"), "Sent a chat message", "チャットでメッセージを送信"),
    (track("Consent Granted", purpose="marketing"), "Gave consent for “marketing”", "利用目的「marketing」に同意"),
    (
        track("Consent Withdrawn", purpose="marketing"),
        "Withdrew consent for “marketing”",
        "利用目的「marketing」への同意を撤回",
    ),
    (track("Consent Withdrawn"), "Withdrew consent", "同意を撤回"),
    # Interface, e-mail, app
    (track("Button Clicked", label="Buy now"), "Clicked “Buy now”", "「Buy now」をクリック"),
    (track("Button Clicked"), "Clicked a button", "ボタンをクリック"),
    (track("Form Submitted", form_name="Contact"), "Submitted the form “Contact”", "フォーム「Contact」を送信"),
    (track("Email Opened", email_subject="Welcome"), "Opened the email “Welcome”", "メール「Welcome」を開封"),
    (track("Unsubscribed"), "Unsubscribed from emails", "メール配信を停止"),
    (track("Application Crashed"), "The app crashed", "アプリがクラッシュ"),
    # Names spelled the way trackers really send them
    (track("order_completed", total=5), "Completed an order of $5.00", "5.00米ドルの注文を完了"),
    (track("orderCompleted"), "Completed an order", "注文を完了"),
    (track("  ORDER COMPLETED "), "Completed an order", "注文を完了"),
    (track("Completed Order"), "Completed an order", "注文を完了"),
    (track("Order Canceled"), "Cancelled an order", "注文をキャンセル"),
    (track("Logged In"), "Signed in", "ログイン"),
    # Unknown events
    (track("Widget Configured"), "Did “Widget Configured”", "「Widget Configured」を実行"),
    (track(None), "Did something unnamed", "名前のない操作を実行"),
    (track(""), "Did something unnamed", "名前のない操作を実行"),
    (track(" \n\t "), "Did something unnamed", "名前のない操作を実行"),
    # Other message types
    (EventView(type="page", name="Pricing"), "Viewed the page “Pricing”", "ページ「Pricing」を表示"),
    (EventView(type="page", name="料金"), "Viewed the page “料金”", "ページ「料金」を表示"),
    (EventView(type="page", properties={"title": "Docs"}), "Viewed the page “Docs”", "ページ「Docs」を表示"),
    (EventView(type="page", properties={"path": "/pricing"}), "Viewed the page “/pricing”", "ページ「/pricing」を表示"),
    (EventView(type="page"), "Viewed a page", "ページを表示"),
    (EventView(type="screen", name="Settings"), "Opened the screen “Settings”", "画面「Settings」を表示"),
    (EventView(type="screen"), "Opened a screen", "画面を表示"),
    (
        EventView(type="identify", traits={"email": "a@example.com", "language": "ja"}),
        "Updated their profile (email, language)",
        "プロフィールを更新（メールアドレス、言語）",
    ),
    (
        EventView(type="identify", traits={"firstName": "Aiko", "first_name": "Aiko", "plan": "pro"}),
        "Updated their profile (first name, plan)",
        "プロフィールを更新（名、plan）",
    ),
    (EventView(type="identify"), "Was identified", "顧客として識別"),
    (
        EventView(type="group", traits={"name": "Acme Inc."}),
        "Joined the group “Acme Inc.”",
        "グループ「Acme Inc.」に所属",
    ),
    (EventView(type="group"), "Joined a group", "グループに所属"),
    (EventView(type="alias"), "Was linked to an earlier identity", "以前のIDと統合"),
    (EventView(type="TRACK", event="Signed In"), "Signed in", "ログイン"),
    (EventView(type="merge"), "Sent an event of the unknown kind “merge”", "不明な種類「merge」のイベントを送信"),
    (EventView(type=""), "Sent an event of an unknown kind", "不明な種類のイベントを送信"),
]


@pytest.mark.parametrize(("view", "english", "japanese"), CASES, ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_sentences_in_english_and_japanese(view: EventView, english: str, japanese: str) -> None:
    assert describe(view, "en") == english
    assert describe(view, "ja") == japanese


@pytest.mark.parametrize("lang", ["ja", "ja-JP", "ja_JP", "JA"])
def test_japanese_in_any_spelling(lang: str) -> None:
    assert describe(track("Signed In"), lang) == "ログイン"


@pytest.mark.parametrize("lang", ["en", "en-GB", "fr", "", "xx-invalid"])
def test_other_languages_fall_back_to_english(lang: str) -> None:
    assert describe(track("Signed In"), lang) == "Signed in"


SEMANTIC_EVENTS = [
    "Products Searched", "Product List Viewed", "Product Viewed", "Product Clicked", "Product Added",
    "Product Removed", "Cart Viewed", "Checkout Started", "Checkout Step Viewed", "Checkout Step Completed",
    "Payment Info Entered", "Order Completed", "Order Updated", "Order Refunded", "Order Cancelled",
    "Coupon Entered", "Coupon Applied", "Coupon Denied", "Coupon Removed", "Account Created", "Signed Up",
    "Signed In", "Signed Out", "Trial Started", "Trial Ended", "Invite Sent", "Account Deleted",
    "Video Playback Started", "Video Playback Paused", "Video Playback Interrupted", "Video Playback Buffer Started",
    "Video Playback Buffer Completed", "Video Playback Seek Started", "Video Playback Seek Completed",
    "Video Playback Resumed", "Video Playback Completed", "Video Content Started", "Video Content Playing",
    "Video Content Completed", "Video Ad Started", "Video Ad Playing", "Video Ad Completed", "Ticket Created",
    "Ticket Resolved", "Article Viewed", "Chat Started", "Chat Message Sent", "Consent Granted", "Consent Withdrawn",
]  # fmt: skip


@pytest.mark.parametrize("event", SEMANTIC_EVENTS)
def test_every_semantic_event_has_its_own_sentence(event: str) -> None:
    english, japanese = describe(track(event), "en"), describe(track(event), "ja")
    assert not english.startswith("Did ") and event not in english
    assert not japanese.endswith("を実行") and event not in japanese
    assert not japanese.isascii() and not any(word in japanese for word in ("item", "the ", "Did"))


# Hostile and odd properties: what a buggy or malicious tracker can send.


@pytest.mark.parametrize(
    "quantity", ["lots", "", None, True, False, -3, 0, 2.5, float("nan"), float("inf"), "1e400", 10**100, [2], {"n": 2}]
)
def test_a_quantity_that_is_not_a_count_is_left_out(quantity: Any) -> None:
    view = track("Product Added", quantity=quantity)
    assert describe(view, "en") == "Added an item to cart"
    assert describe(view, "ja") == "カートに商品を追加"


@pytest.mark.parametrize("quantity", ["3", " 3 ", 3.0, "3.0"])
def test_a_count_written_as_text_or_float_still_counts(quantity: Any) -> None:
    assert describe(track("Product Added", quantity=quantity), "en") == "Added 3 items to cart"


@pytest.mark.parametrize("total", ["abc", None, True, float("nan"), float("-inf"), 1e15, "1e999999", {"v": 1}, [30]])
def test_an_amount_that_is_not_money_is_left_out(total: Any) -> None:
    view = track("Order Completed", total=total)
    assert describe(view, "en") == "Completed an order"
    assert describe(view, "ja") == "注文を完了"


def test_a_bad_total_gives_way_to_the_revenue() -> None:
    view = track("Order Completed", total="n/a", revenue=10)
    assert describe(view, "en") == "Completed an order of $10.00"


@pytest.mark.parametrize(
    ("currency", "english", "japanese"),
    [
        (None, "Completed an order of $30.00", "30.00米ドルの注文を完了"),
        ("", "Completed an order of $30.00", "30.00米ドルの注文を完了"),
        (" jpy ", "Completed an order of ¥30", "30円の注文を完了"),
        ("BTC", "Completed an order of 30 BTC", "30 BTCの注文を完了"),
        ("<script>alert(1)</script>", "Completed an order of 30", "30の注文を完了"),
        (42, "Completed an order of 30", "30の注文を完了"),
        (["USD"], "Completed an order of 30", "30の注文を完了"),
    ],
)
def test_currency_codes_are_checked(currency: Any, english: str, japanese: str) -> None:
    view = track("Order Completed", total=30, currency=currency)
    assert describe(view, "en") == english
    assert describe(view, "ja") == japanese


def test_odd_product_lists_count_only_what_makes_sense() -> None:
    products = [1, "x", None, [], {"quantity": "2"}, {"quantity": -1}, {"quantity": "many"}]
    assert describe(track("Order Completed", products=products), "en") == "Completed an order (4 items)"
    assert describe(track("Order Completed", products=[1, "x"]), "en") == "Completed an order"
    assert describe(track("Order Completed", products="3 things", quantity=2), "en") == "Completed an order (2 items)"
    assert describe(track("Order Completed", products={"quantity": 9}), "en") == "Completed an order"


def test_a_huge_product_list_is_bounded() -> None:
    view = track("Order Completed", products=[{"quantity": 10_000_000}] * 50_000)
    assert describe(view, "en") == "Completed an order (10,000,000 items)"


def test_huge_text_is_cut_with_an_ellipsis() -> None:
    view = track("Products Searched", query="refund " * 200_000)
    english = describe(view, "en")
    assert english.startswith("Searched for “refund refund") and english.endswith("…”")
    assert len(english) <= len("Searched for “”") + TEXT_LIMIT
    japanese = describe(view, "ja")
    assert japanese.endswith("…」を検索") and len(japanese) <= TEXT_LIMIT + len("「」を検索")


def test_text_just_at_the_limit_is_kept_whole() -> None:
    query = "x" * TEXT_LIMIT
    assert describe(track("Products Searched", query=query), "en") == f"Searched for “{query}”"
    assert describe(track("Products Searched", query=query + "y"), "en") == f"Searched for “{'x' * (TEXT_LIMIT - 1)}…”"


def test_huge_unknown_event_names_are_cut_too() -> None:
    english = describe(track("Z" * 1_000_000), "en")
    assert english.startswith("Did “ZZZ") and english.endswith("…”") and len(english) < 100


def test_control_and_invisible_characters_are_removed() -> None:
    # newlines, NUL, escape sequences, a right-to-left override, zero-width spaces
    name = "Green\n\tTea\x00\x1b[31m \u202eevil\u200b"
    assert describe(track("Product Viewed", name=name), "en") == "Viewed the product “Green Tea[31m evil”"
    assert describe(track("Product Viewed", name="\u200b\u200b\n"), "en") == "Viewed a product"


def test_markup_is_passed_through_for_the_template_to_escape() -> None:
    # Escaping is the template's job; the sentence keeps the text as the customer wrote it.
    view = track("Products Searched", query="<b>refund</b> & 'more'")
    assert describe(view, "en") == "Searched for “<b>refund</b> & 'more'”"


@pytest.mark.parametrize("name", [{"nested": {"deep": [1, 2, 3]}}, [1, 2], None, True, float("nan"), b"bytes"])
def test_a_name_that_is_not_text_is_left_out(name: Any) -> None:
    assert describe(track("Product Viewed", name=name), "en") == "Viewed a product"
    assert describe(track("Product Viewed", name=name), "ja") == "商品を閲覧"


def test_numbers_may_stand_for_names() -> None:
    assert describe(track("Product Viewed", name=42), "en") == "Viewed the product “42”"
    assert describe(track("Product Viewed", name=10**400), "en") == "Viewed a product"


def test_the_first_usable_key_wins() -> None:
    view = track("Ticket Created", subject={"x": 1}, title="Refund please")
    assert describe(view, "en") == "Opened a support ticket: “Refund please”"


@pytest.mark.parametrize("junk", [None, [1, 2], "a string", 42])
def test_properties_and_traits_that_are_not_objects(junk: Any) -> None:
    assert describe(EventView(type="track", event="Product Added", properties=junk), "en") == "Added an item to cart"
    assert describe(EventView(type="identify", traits=junk), "ja") == "顧客として識別"
    assert describe(EventView(type="group", traits=junk), "en") == "Joined a group"


@pytest.mark.parametrize("junk", [None, 42, ["Order Completed"], {"a": 1}])
def test_event_names_and_types_that_are_not_text(junk: Any) -> None:
    assert describe(EventView(type="track", event=junk), "en") in ("Did something unnamed", "Did “42”")
    assert describe(EventView(type=junk), "en").startswith("Sent an event of")


def test_many_traits_are_summarised() -> None:
    traits = {f"custom_{i}": i for i in range(500)}
    assert describe(EventView(type="identify", traits=traits), "en") == (
        "Updated their profile (custom_0, custom_1, custom_2, custom_3, custom_4 and 495 more)"
    )
    assert describe(EventView(type="identify", traits=traits), "ja") == (
        "プロフィールを更新（custom_0、custom_1、custom_2、custom_3、custom_4ほか495項目）"
    )


def test_long_trait_names_are_cut() -> None:
    english = describe(EventView(type="identify", traits={"k" * 5000: 1}), "en")
    assert english == f"Updated their profile ({'k' * 39}…)"


def test_the_view_is_a_frozen_value() -> None:
    view = track("Signed In")
    with pytest.raises(AttributeError):
        view.event = "Signed Out"  # type: ignore[misc]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
KEYS = st.sampled_from(
    ["name", "query", "quantity", "total", "revenue", "currency", "products", "title", "subject", "label", "step"]
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["track", "identify", "page", "screen", "group", "alias"]) | st.text(max_size=10),
    event=st.sampled_from([*SEMANTIC_EVENTS, "Button Clicked", "Unknown Thing"]) | st.text() | st.none(),
    name=st.text() | st.none(),
    properties=st.dictionaries(KEYS | st.text(max_size=8), JSON, max_size=6),
    traits=st.dictionaries(st.text(max_size=50), JSON, max_size=8),
    lang=st.sampled_from(["en", "ja"]),
)
def test_any_event_gives_one_short_clean_line(
    kind: str, event: str | None, name: str | None, properties: dict[str, Any], traits: dict[str, Any], lang: str
) -> None:
    sentence = describe(EventView(type=kind, event=event, name=name, properties=properties, traits=traits), lang)
    assert sentence and sentence == sentence.strip()
    assert len(sentence) <= 300
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in sentence)
