"""One event in plain words for staff, in English or Japanese: "Completed an order of $30.00 (3 items)".

Properties and traits are whatever a tracker sent, so every value is checked before it is shown (`memory.values`):
text is cleaned of control characters and cut to ~80 characters, numbers must be finite and plausible, anything else
is left out.
The sentence is plain text; templates escape it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from typing import Any, NamedTuple

from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, is_currency

from omotenashi.memory.values import (
    MAX_COUNT,
    as_mapping,
    clean_text,
    loose_key,
    plausible_count,
    plausible_decimal,
)

DEFAULT_CURRENCY = "USD"  # what Segment assumes when a revenue carries no currency
_MAX_PRODUCTS = 1_000
_MAX_TRAITS_SHOWN = 5
_MAX_TRAITS_READ = 100


@dataclass(frozen=True)
class EventView:
    """The parts of a stored event that a sentence can be made from."""

    type: str
    event: str | None = None
    name: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] = field(default_factory=dict)


def describe(view: EventView, lang: str) -> str:
    """Say in one short sentence what the customer did, for staff reading their timeline ("en" or "ja")."""
    words = _Words(_language(lang), as_mapping(view.properties))
    kind = view.type.strip().lower() if isinstance(view.type, str) else ""
    if kind == "track":
        return _track(view, words)
    if kind == "identify":
        return _identify(as_mapping(view.traits), words)
    if kind == "page":
        title = clean_text(view.name) or words.text("title", "path")
        return words.say("Viewed the page {x}", "ページ{x}を表示", title, "Viewed a page", "ページを表示")
    if kind == "screen":
        title = clean_text(view.name) or words.text("title")
        return words.say("Opened the screen {x}", "画面{x}を表示", title, "Opened a screen", "画面を表示")
    if kind == "group":
        group = clean_text(as_mapping(view.traits).get("name"))
        return words.say("Joined the group {x}", "グループ{x}に所属", group, "Joined a group", "グループに所属")
    if kind == "alias":
        return words.pick("Was linked to an earlier identity", "以前のIDと統合")
    en, ja = "Sent an event of the unknown kind {x}", "不明な種類{x}のイベントを送信"
    return words.say(en, ja, clean_text(view.type), "Sent an event of an unknown kind", "不明な種類のイベントを送信")


def _language(lang: str) -> str:
    primary = lang.replace("_", "-").split("-")[0].lower() if isinstance(lang, str) else ""
    return "ja" if primary == "ja" else "en"


class _Words:
    """Sentence parts in one language, drawn from one event's properties."""

    def __init__(self, lang: str, props: Mapping[str, Any]) -> None:
        self.lang = lang
        self.props = props

    def pick(self, en: str, ja: str) -> str:
        return ja if self.lang == "ja" else en

    def quote(self, text: str) -> str:
        return self.pick(f"“{text}”", f"「{text}」")

    def say(self, en: str, ja: str, text: str | None, en_bare: str, ja_bare: str) -> str:
        """The sentence naming `text` (quoted, in place of {x}) when there is one, else the bare sentence."""
        if text is None:
            return self.pick(en_bare, ja_bare)
        return self.pick(en, ja).replace("{x}", self.quote(text))

    def text(self, *keys: str) -> str | None:
        return next((t for t in (clean_text(self.props.get(k)) for k in keys) if t is not None), None)

    def number(self, n: int | Decimal) -> str:
        return format_decimal(n, locale=self.lang)

    def items(self, n: int | None) -> str:
        """ " (3 items)" / "（3点）" after a sentence, or nothing."""
        if n is None:
            return ""
        return self.pick(f" ({self.number(n)} item{'' if n == 1 else 's'})", f"（{self.number(n)}点）")

    def item_count(self) -> int | None:
        """How many items the event is about: the products' quantities (1 each by default), else `quantity`."""
        products = self.props.get("products")
        if isinstance(products, list) and products:
            total = sum(
                plausible_count(p.get("quantity")) or 1 for p in products[:_MAX_PRODUCTS] if isinstance(p, Mapping)
            )
            return min(total, MAX_COUNT) or None
        return plausible_count(self.props.get("quantity"))

    def money(self, *, unsigned: bool = False) -> str | None:
        """The amount of an order, formatted with its currency: "$30.00", "30.00米ドル", "3,000円"."""
        amounts = (plausible_decimal(self.props.get(k)) for k in ("total", "revenue", "value"))
        amount = next((a for a in amounts if a is not None), None)
        if amount is None:
            return None
        amount = abs(amount) if unsigned else amount
        code = self.props.get("currency")
        code = code.strip().upper() if isinstance(code, str) else code
        if code in (None, ""):
            code = DEFAULT_CURRENCY
        if isinstance(code, str) and re.fullmatch(r"[A-Z]{3}", code) and is_currency(code):
            if self.lang == "ja":  # 「30.00米ドル」「3,000円」 read as Japanese; "$30.00" reads as a foreign price
                return format_currency(amount, code, locale="ja", format_type="name")
            return format_currency(amount, code, locale="en")
        if isinstance(code, str) and re.fullmatch(r"[A-Z0-9]{2,8}", code):  # e.g. points or a crypto ticker
            return f"{self.number(amount)} {code}"
        return self.number(amount)


class _Phrase(NamedTuple):
    """A sentence that names one property when the event has it (in place of {x}), and one without."""

    keys: tuple[str, ...]
    en: str
    en_bare: str
    ja: str
    ja_bare: str


def _fixed(en: str, ja: str) -> _Phrase:
    return _Phrase((), en, en, ja, ja)


_PRODUCT = ("name", "product_name", "title")
_QUERY = ("query", "q", "search", "term", "keyword")
_LIST = ("category", "list_id", "name")
_COUPON = ("coupon_name", "coupon_id", "coupon")
_PLAN = ("trial_plan_name", "plan_name", "plan")
_CONSENT = ("purpose", "category", "name")
_TICKET = ("subject", "title", "ticket_subject", "name")
_TITLE = ("title", "name")
_CLICKED = ("label", "text", "button_text", "name", "title")

# fmt: off
_PHRASES: dict[str, _Phrase] = {
    # E-commerce (Segment spec v2)
    "Products Searched": _Phrase(_QUERY, "Searched for {x}", "Searched the products", "{x}を検索", "商品を検索"),
    "Product List Viewed": _Phrase(_LIST, "Browsed the product list {x}", "Browsed a product list",
        "商品一覧{x}を閲覧", "商品一覧を閲覧"),
    "Product List Filtered": _Phrase(_LIST, "Filtered the product list {x}", "Filtered a product list",
        "商品一覧{x}を絞り込み", "商品一覧を絞り込み"),
    "Product Clicked": _Phrase(_PRODUCT, "Clicked the product {x}", "Clicked a product",
        "商品{x}をクリック", "商品をクリック"),
    "Product Viewed": _Phrase(_PRODUCT, "Viewed the product {x}", "Viewed a product", "商品{x}を閲覧", "商品を閲覧"),
    "Product Added to Wishlist": _Phrase(_PRODUCT, "Added {x} to their wishlist", "Added a product to their wishlist",
        "商品{x}をお気に入りに追加", "商品をお気に入りに追加"),
    "Product Removed from Wishlist": _Phrase(_PRODUCT, "Removed {x} from their wishlist",
        "Removed a product from their wishlist", "商品{x}をお気に入りから削除", "商品をお気に入りから削除"),
    "Product Shared": _Phrase(_PRODUCT, "Shared the product {x}", "Shared a product", "商品{x}を共有", "商品を共有"),
    "Product Reviewed": _Phrase(_PRODUCT, "Reviewed the product {x}", "Reviewed a product",
        "商品{x}をレビュー", "商品をレビュー"),
    "Promotion Viewed": _Phrase(("name", "creative"), "Saw the promotion {x}", "Saw a promotion",
        "キャンペーン{x}を表示", "キャンペーンを表示"),
    "Promotion Clicked": _Phrase(("name", "creative"), "Clicked the promotion {x}", "Clicked a promotion",
        "キャンペーン{x}をクリック", "キャンペーンをクリック"),
    "Payment Info Entered": _fixed("Entered payment details", "支払い情報を入力"),
    "Order Updated": _fixed("Changed an order", "注文を変更"),
    "Coupon Entered": _Phrase(_COUPON, "Entered the coupon {x}", "Entered a coupon",
        "クーポン{x}を入力", "クーポンを入力"),
    "Coupon Applied": _Phrase(_COUPON, "Applied the coupon {x}", "Applied a coupon",
        "クーポン{x}を適用", "クーポンを適用"),
    "Coupon Denied": _Phrase(_COUPON, "Tried the coupon {x}, which was declined",
        "Tried a coupon, which was declined", "クーポン{x}の適用に失敗", "クーポンの適用に失敗"),
    "Coupon Removed": _Phrase(_COUPON, "Removed the coupon {x}", "Removed a coupon",
        "クーポン{x}を解除", "クーポンを解除"),
    # B2B SaaS
    "Account Created": _Phrase(("account_name",), "Created the account {x}", "Created an account",
        "アカウント{x}を作成", "アカウントを作成"),
    "Account Deleted": _Phrase(("account_name",), "Deleted the account {x}", "Deleted their account",
        "アカウント{x}を削除", "アカウントを削除"),
    "Account Added User": _fixed("Added a user to their account", "アカウントにユーザーを追加"),
    "Account Removed User": _fixed("Removed a user from their account", "アカウントからユーザーを削除"),
    "Signed Up": _fixed("Signed up", "新規登録"),
    "Signed In": _fixed("Signed in", "ログイン"),
    "Signed Out": _fixed("Signed out", "ログアウト"),
    "Invite Sent": _fixed("Sent an invitation", "招待を送信"),  # the invitee's details are theirs, not shown
    "Trial Started": _Phrase(_PLAN, "Started a trial of {x}", "Started a trial",
        "プラン{x}のトライアルを開始", "トライアルを開始"),
    "Trial Ended": _Phrase(_PLAN, "Their trial of {x} ended", "Their trial ended",
        "プラン{x}のトライアルが終了", "トライアルが終了"),
    # Video
    "Video Playback Started": _Phrase(_TITLE, "Started the video {x}", "Started a video",
        "動画{x}を再生", "動画を再生"),
    "Video Playback Paused": _fixed("Paused a video", "動画を一時停止"),
    "Video Playback Interrupted": _fixed("A video stopped playing unexpectedly", "動画の再生が中断"),
    "Video Playback Buffer Started": _fixed("A video stalled while loading", "動画が読み込み待ちで停止"),
    "Video Playback Buffer Completed": _fixed("A video finished loading and went on", "動画の読み込みが完了"),
    "Video Playback Seek Started": _fixed("Skipped within a video", "動画の再生位置を移動"),
    "Video Playback Seek Completed": _fixed("Skipped within a video", "動画の再生位置を移動"),
    "Video Playback Resumed": _fixed("Resumed a video", "動画の再生を再開"),
    "Video Playback Completed": _fixed("Finished a video", "動画を最後まで再生"),
    "Video Content Started": _Phrase(_TITLE, "Started watching {x}", "Started watching a video",
        "動画{x}の視聴を開始", "動画の視聴を開始"),
    "Video Content Playing": _Phrase(_TITLE, "Kept watching {x}", "Kept watching a video",
        "動画{x}を視聴中", "動画を視聴中"),
    "Video Content Completed": _Phrase(_TITLE, "Finished watching {x}", "Finished watching a video",
        "動画{x}を最後まで視聴", "動画を最後まで視聴"),
    "Video Ad Started": _fixed("Saw a video ad", "動画広告を表示"),
    "Video Ad Playing": _fixed("Watched a video ad", "動画広告を視聴中"),
    "Video Ad Completed": _fixed("Watched a video ad to the end", "動画広告を最後まで視聴"),
    # Help and support
    "Ticket Created": _Phrase(_TICKET, "Opened a support ticket: {x}", "Opened a support ticket",
        "問い合わせ{x}を送信", "問い合わせを送信"),
    "Ticket Reopened": _Phrase(_TICKET, "Reopened a support ticket: {x}", "Reopened a support ticket",
        "問い合わせ{x}を再開", "問い合わせを再開"),
    "Ticket Resolved": _Phrase(_TICKET, "Support ticket resolved: {x}", "A support ticket was resolved",
        "問い合わせ{x}が解決", "問い合わせが解決"),
    "Ticket Closed": _Phrase(_TICKET, "Support ticket closed: {x}", "A support ticket was closed",
        "問い合わせ{x}が終了", "問い合わせが終了"),
    "Article Viewed": _Phrase(("title", "article_title", "name"), "Read the help article {x}", "Read a help article",
        "ヘルプ記事{x}を閲覧", "ヘルプ記事を閲覧"),
    "Chat Started": _fixed("Started a chat with support", "サポートとのチャットを開始"),
    "Chat Message Sent": _fixed("Sent a chat message", "チャットでメッセージを送信"),  # not its text
    "Chat Ended": _fixed("Ended a chat with support", "サポートとのチャットを終了"),
    "Feedback Submitted": _fixed("Sent feedback", "フィードバックを送信"),
    "Survey Submitted": _fixed("Answered a survey", "アンケートに回答"),
    "Consent Granted": _Phrase(_CONSENT, "Gave consent for {x}", "Gave consent",
        "利用目的{x}に同意", "利用に同意"),
    "Consent Withdrawn": _Phrase(_CONSENT, "Withdrew consent for {x}", "Withdrew consent",
        "利用目的{x}への同意を撤回", "同意を撤回"),
    "Segment Consent Preference Updated": _fixed("Changed their consent choices", "同意の設定を変更"),
    # Interface, e-mail and mobile app
    "Button Clicked": _Phrase(_CLICKED, "Clicked {x}", "Clicked a button", "{x}をクリック", "ボタンをクリック"),
    "Link Clicked": _Phrase(_CLICKED, "Clicked the link {x}", "Clicked a link",
        "リンク{x}をクリック", "リンクをクリック"),
    "Form Submitted": _Phrase(("form_name", "name", "form_id"), "Submitted the form {x}", "Submitted a form",
        "フォーム{x}を送信", "フォームを送信"),
    "Email Opened": _Phrase(("email_subject",), "Opened the email {x}", "Opened an email",
        "メール{x}を開封", "メールを開封"),
    "Email Link Clicked": _Phrase(("email_subject",), "Clicked a link in the email {x}", "Clicked a link in an email",
        "メール{x}のリンクをクリック", "メール内のリンクをクリック"),
    "Email Bounced": _fixed("An email to them bounced", "メールが届かず戻ってきた"),
    "Email Marked as Spam": _fixed("Marked an email as spam", "メールを迷惑メールとして報告"),
    "Unsubscribed": _fixed("Unsubscribed from emails", "メール配信を停止"),
    "Application Installed": _fixed("Installed the app", "アプリをインストール"),
    "Application Opened": _fixed("Opened the app", "アプリを起動"),
    "Application Updated": _fixed("Updated the app", "アプリを更新"),
    "Application Uninstalled": _fixed("Uninstalled the app", "アプリをアンインストール"),
    "Application Crashed": _fixed("The app crashed", "アプリがクラッシュ"),
}
# fmt: on

# The same sentences for the names Segment's older spec and common trackers use.
# fmt: off
_ALIASES = {
    "Searched Products": "Products Searched", "Viewed Product": "Product Viewed", "Added Product": "Product Added",
    "Viewed Product Category": "Product List Viewed", "Removed Product": "Product Removed",
    "Viewed Cart": "Cart Viewed", "Started Order": "Checkout Started", "Completed Order": "Order Completed",
    "Order Placed": "Order Completed", "Order Canceled": "Order Cancelled", "Logged In": "Signed In",
    "Login": "Signed In", "Logged Out": "Signed Out", "Logout": "Signed Out", "Sign Up": "Signed Up",
    "Ticket Opened": "Ticket Created", "Ticket Submitted": "Ticket Created", "Help Article Viewed": "Article Viewed",
    "CTA Clicked": "Button Clicked", "Element Clicked": "Button Clicked",
}
# fmt: on


def _cart_change(en_verb: str, en_where: str, ja_where: str, ja_verb: str) -> Callable[[_Words], str]:
    """Product Added / Removed: "Added 2 × “Tea” to cart", 「商品「緑茶」を2点カートに追加」, 「カートに2点追加」."""

    def say(w: _Words) -> str:
        product, n = w.text(*_PRODUCT), w.item_count()
        if product is not None:
            what = w.quote(product)
            if n is None or n == 1:
                return w.pick(f"{en_verb} {what} {en_where}", f"商品{what}を{ja_where}{ja_verb}")
            return w.pick(
                f"{en_verb} {w.number(n)} × {what} {en_where}", f"商品{what}を{w.number(n)}点{ja_where}{ja_verb}"
            )
        if n is None:
            return w.pick(f"{en_verb} an item {en_where}", f"{ja_where}商品を{ja_verb}")
        en_items = f"{w.number(n)} item{'' if n == 1 else 's'}"
        return w.pick(f"{en_verb} {en_items} {en_where}", f"{ja_where}{w.number(n)}点{ja_verb}")

    return say


def _deal(en: str, ja: str, ja_bare: str, *, with_money: bool = True, refund: bool = False) -> Callable[[_Words], str]:
    """Orders and carts: "Completed an order of $30.00 (3 items)", 「30.00米ドルの注文を完了（3点）」."""

    def say(w: _Words) -> str:
        money = w.money(unsigned=refund) if with_money else None  # some trackers send refunds as negative totals
        if w.lang == "ja":
            sentence = ja.replace("{money}", money) if money else ja_bare
        else:
            sentence = en.replace("{of}", f" of {money}" if money else "")
        return sentence + w.items(w.item_count())

    return say


def _checkout_step(en: str, ja: str) -> Callable[[_Words], str]:
    """ "Reached checkout step 2" / 「購入手続きのステップ2を表示」; the step is a number, not quoted text."""

    def say(w: _Words) -> str:
        step = plausible_count(w.props.get("step"))
        number = f" {w.number(step)}" if step is not None else ""
        return w.pick(en.replace("{n}", number), ja.replace("{n}", number.strip()))

    return say


_SPECIAL: dict[str, Callable[[_Words], str]] = {
    "Product Added": _cart_change("Added", "to cart", "カートに", "追加"),
    "Product Removed": _cart_change("Removed", "from cart", "カートから", "削除"),
    "Cart Viewed": _deal("Viewed their cart", "", "カートを表示", with_money=False),
    "Checkout Step Viewed": _checkout_step("Reached checkout step{n}", "購入手続きのステップ{n}を表示"),
    "Checkout Step Completed": _checkout_step("Completed checkout step{n}", "購入手続きのステップ{n}を完了"),
    "Checkout Started": _deal("Started checkout{of}", "{money}の購入手続きを開始", "購入手続きを開始"),
    "Order Completed": _deal("Completed an order{of}", "{money}の注文を完了", "注文を完了"),
    "Order Cancelled": _deal("Cancelled an order{of}", "{money}の注文をキャンセル", "注文をキャンセル"),
    "Order Refunded": _deal("Received a refund{of}", "{money}の返金を受領", "返金を受領", refund=True),
}


def _phrase_says(phrase: _Phrase) -> Callable[[_Words], str]:
    return lambda w: w.say(phrase.en, phrase.ja, w.text(*phrase.keys), phrase.en_bare, phrase.ja_bare)


_SAYERS: dict[str, Callable[[_Words], str]] = {
    loose_key(name): say for name, say in [*((n, _phrase_says(p)) for n, p in _PHRASES.items()), *_SPECIAL.items()]
}
_SAYERS.update({loose_key(alias): _SAYERS[loose_key(name)] for alias, name in _ALIASES.items()})


def _track(view: EventView, w: _Words) -> str:
    name = clean_text(view.event)
    if name is None:
        return w.pick("Did something unnamed", "名前のない操作を実行")
    say = _SAYERS.get(loose_key(view.event)) if isinstance(view.event, str) and len(view.event) <= 200 else None
    if say is None:
        return w.say("Did {x}", "{x}を実行", name, "", "")
    return say(w)


# Segment's reserved traits in words; other traits are shown by their own (cleaned) names.
# fmt: off
_TRAIT_WORDS = {loose_key(k): v for k, v in {
    "email": ("email", "メールアドレス"), "name": ("name", "名前"), "firstName": ("first name", "名"),
    "lastName": ("last name", "姓"), "phone": ("phone", "電話番号"), "address": ("address", "住所"),
    "birthday": ("birthday", "誕生日"), "age": ("age", "年齢"), "gender": ("gender", "性別"),
    "company": ("company", "会社"), "title": ("job title", "役職"), "username": ("username", "ユーザー名"),
    "website": ("website", "ウェブサイト"), "avatar": ("picture", "プロフィール画像"),
    "description": ("description", "自己紹介"), "createdAt": ("sign-up date", "登録日"),
    "language": ("language", "言語"), "locale": ("language", "言語"), "timezone": ("time zone", "タイムゾーン"),
}.items()}
# fmt: on


def _identify(traits: Mapping[str, Any], w: _Words) -> str:
    """ "Updated their profile (email, language)" / 「プロフィールを更新（メールアドレス、言語）」."""
    names: list[str] = []
    for key in islice(traits, _MAX_TRAITS_READ):
        known = _TRAIT_WORDS.get(loose_key(key)) if isinstance(key, str) else None
        label = w.pick(*known) if known else clean_text(key, limit=40)
        if label and label not in names:
            names.append(label)
    if not names:
        return w.pick("Was identified", "顧客として識別")
    shown = names[:_MAX_TRAITS_SHOWN]
    rest = len(names) - len(shown) + max(0, len(traits) - _MAX_TRAITS_READ)
    listed = format_list(shown, style="unit" if w.lang == "en" else "standard", locale=w.lang)
    if rest > 0:
        listed += w.pick(f" and {w.number(rest)} more", f"ほか{w.number(rest)}項目")
    return w.pick(f"Updated their profile ({listed})", f"プロフィールを更新（{listed}）")
