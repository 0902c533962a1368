"""What customers of the synthetic company ask about: each topic's help articles, search words and generated text.

The sentences are templates written for the simulator, not collected from anyone. `{word}` slots are filled from
`text.SYNONYMS`, so two questions about one topic rarely read the same. Japanese templates are used for customers
whose language is Japanese.
"""

from __future__ import annotations

from typing import NamedTuple


class Article(NamedTuple):
    """A help-centre article."""

    id: str
    title: str
    slug: str


class Topic(NamedTuple):
    """One thing customers need help with, and every way the simulator can phrase it."""

    id: str
    articles: tuple[Article, ...]
    queries: tuple[str, ...]
    subjects: tuple[str, ...]
    problems: tuple[str, ...]
    details: tuple[str, ...]
    ja_subjects: tuple[str, ...]
    ja_bodies: tuple[str, ...]
    element: str | None  # the button this trouble lives behind, a key of company.ELEMENTS
    page: str  # where in the app it shows, a key of company.PAGES


def _a(n: int, title: str) -> Article:
    slug = "-".join(title.lower().replace("?", "").replace("'", "").replace(",", "").split())
    return Article(f"kb-{n:03d}", title, slug)


TOPICS: dict[str, Topic] = {
    t.id: t
    for t in (
        Topic(
            "double_charge",
            (_a(101, "Why was I charged twice?"), _a(102, "Understanding pending card authorisations")),
            ("charged twice", "double charge", "two payments", "duplicate {payment}", "billed 2 times"),
            (
                "I was {charged} twice",
                "Double {payment} this month",
                "Duplicate {charge} on my card",
                "Why two {payment}s?",
                "{charged} 2x for one month",
            ),
            (
                "I see two {payment}s for the same month on my card.",
                "You {charged} me twice for my {plan}.",
                "My bank shows a duplicate {charge} from you.",
                "There are two identical {payment}s on my statement.",
            ),
            (
                "Can you refund one of them?",
                "Please reverse the extra one.",
                "The amounts are exactly the same.",
                "It happened on the renewal date.",
            ),
            ("二重に請求されています", "同じ月の支払いが2回"),
            (
                "今月分が2回引き落とされています。1回分を返金していただけますか。",
                "カードの明細に同じ金額の請求が2件あります。確認をお願いします。",
            ),
            None,
            "billing",
        ),
        Topic(
            "invoice_download",
            (_a(111, "Download invoices and receipts"), _a(112, "Add a VAT number to your invoices")),
            ("download invoice", "invoice pdf", "get receipt", "where are my invoices", "{invoice} download error"),
            (
                "Can't download my {invoice}",
                "{invoice} download {broken}",
                "Where do I get my {invoice}?",
                "{invoice} PDF not working",
                "Need last month's {invoice}",
            ),
            (
                "The {invoice} download button {broken}.",
                "When I click download on my {invoice} nothing happens.",
                "I can't get a PDF of my {invoice}.",
                "Our accountant needs the {invoice} and I can't download it.",
            ),
            (
                "I tried in two browsers.",
                "It's for the month of March.",
                "We need it for our books by Friday.",
                "I also need our VAT number on it.",
            ),
            ("請求書がダウンロードできません", "領収書の取得方法"),
            (
                "請求書のダウンロードボタンを押しても何も起きません。経理に提出する必要があります。",
                "先月の領収書をPDFで入手したいのですが、方法が分かりません。",
            ),
            "download_invoice",
            "invoices",
        ),
        Topic(
            "invite",
            (_a(121, "Invite teammates to your workspace"), _a(122, "Invitation email did not arrive")),
            ("invite teammate", "add user", "invitation not received", "add {teammate}", "invite email missing"),
            (
                "Can't invite my {teammate}",
                "{invite} not arriving",
                "How do I add a {teammate}?",
                "{teammate} never got the {invite}",
                "Adding users {broken}",
            ),
            (
                "My {teammate} never received the {invite}.",
                "I try to invite a {teammate} but it {broken}.",
                "Sending an {invite} shows an error.",
                "I can't figure out how to add people to my workspace.",
            ),
            (
                "I checked the spam folder.",
                "We are 4 people and need everyone in.",
                "I tried three times already.",
                "Their address is on our company domain.",
            ),
            ("メンバーを招待できません", "招待メールが届かない"),
            (
                "同僚を招待しましたが、招待メールが届いていないようです。迷惑メールフォルダも確認しました。",
                "メンバーの追加方法が分かりません。チーム全員で使いたいです。",
            ),
            "invite",
            "members",
        ),
        Topic(
            "export",
            (_a(131, "Export a report as CSV, PDF or Excel"), _a(132, "Large exports and time limits")),
            ("export report", "export csv", "export {broken}", "download report excel", "report export error"),
            (
                "Export {broken}",
                "Can't export my report",
                "Report export error",
                "{export} not working",
                "CSV {export} fails",
            ),
            (
                "Exporting a report {broken}.",
                "When I {export} to CSV I get an error.",
                "The {export} button does nothing.",
                "I need this report as Excel but the {export} fails.",
            ),
            (
                "It's a report with about 2,000 tasks.",
                "I need it for a meeting tomorrow.",
                "PDF fails too.",
                "It worked last week.",
            ),
            ("レポートを出力できません", "CSVエクスポートのエラー"),
            (
                "レポートをCSVで出力しようとするとエラーになります。明日の会議で必要です。",
                "エクスポートボタンを押しても反応がありません。",
            ),
            "export",
            "reports",
        ),
        Topic(
            "import_csv",
            (_a(141, "Import tasks from a CSV file"), _a(142, "CSV columns the importer understands")),
            ("import csv", "import tasks", "csv upload {broken}", "migrate from spreadsheet", "import file error"),
            (
                "CSV import {broken}",
                "Import fails",
                "Can't import my tasks",
                "Problem importing a spreadsheet",
                "{import} error",
            ),
            (
                "My CSV {import} {broken}.",
                "The {import} says the file could not be read.",
                "I'm trying to move our tasks over from a spreadsheet and the {import} fails.",
                "Uploading the CSV gives an error.",
            ),
            ("The file is UTF-8.", "It has 500 rows.", "I used your template columns.", "Excel saved it as CSV."),
            ("CSVのインポートに失敗します", "タスクの取り込みができない"),
            (
                "CSVファイルを取り込もうとすると「ファイルを読み込めません」と表示されます。",
                "スプレッドシートからタスクを移行したいのですが、インポートがうまくいきません。",
            ),
            "start_import",
            "import",
        ),
        Topic(
            "password",
            (_a(151, "Reset your password"), _a(152, "Password reset email did not arrive")),
            ("reset password", "forgot password", "password email", "cant log in", "reset link expired"),
            (
                "Password reset not working",
                "Can't log in",
                "Reset email never came",
                "Locked out of my account",
                "Forgot my password",
            ),
            (
                "I asked for a password reset but the email never came.",
                "I can't log in to my account.",
                "The reset link says it has expired.",
                "I'm locked out after changing my password.",
            ),
            (
                "I tried twice today.",
                "I use the same email as always.",
                "My team is waiting on me.",
                "Is there another way to get in?",
            ),
            ("パスワードを再設定できません", "ログインできない"),
            (
                "パスワード再設定のメールが届きません。何度か試しました。",
                "ログインできなくなりました。助けてください。",
            ),
            None,
            "security",
        ),
        Topic(
            "sso",
            (_a(161, "Set up single sign-on (SAML)"), _a(162, "Troubleshooting SSO errors")),
            ("sso setup", "saml", "single sign on", "okta sso", "sso error"),
            (
                "SSO setup question",
                "SAML login {broken}",
                "Help with single sign-on",
                "SSO error on login",
                "Configuring SAML",
            ),
            (
                "Our SSO login {broken} after setup.",
                "I'm setting up SAML and get an error.",
                "How do I configure single sign-on for our team?",
                "Users see an SSO error when they sign in.",
            ),
            ("We use Okta.", "The error mentions the audience.", "We're on the business plan.", "IT needs this today."),
            ("SSOの設定について", "SAMLでログインできない"),
            (
                "SAMLの設定を行いましたが、ログイン時にエラーが表示されます。",
                "シングルサインオンの設定方法を教えてください。",
            ),
            None,
            "security",
        ),
        Topic(
            "notifications",
            (_a(171, "Choose which notifications you get"), _a(172, "Not getting email notifications")),
            ("notifications", "no emails", "mute notifications", "too many emails", "notification settings"),
            (
                "Not getting notifications",
                "Too many {notification}s",
                "{notification}s stopped",
                "How to turn off {notification}s",
                "No email {notification}s",
            ),
            (
                "I stopped getting {notification}s.",
                "I get far too many {notification}s.",
                "Mentions don't send me {notification}s anymore.",
                "How do I mute a project's {notification}s?",
            ),
            ("My settings look right.", "It started this week.", "Only for one project.", "On mobile too."),
            ("通知が届きません", "通知が多すぎる"),
            ("メンションされても通知が来なくなりました。", "通知が多すぎるので、プロジェクトごとに止めたいです。"),
            "mute",
            "notifications",
        ),
        Topic(
            "mobile_sync",
            (_a(181, "The mobile app does not sync"), _a(182, "Use Tsumiki offline")),
            ("app not syncing", "mobile sync", "offline changes lost", "app out of date", "sync {broken}"),
            (
                "Mobile app not syncing",
                "Changes on my phone {broken} to sync",
                "App out of date",
                "Sync problem",
                "Lost changes on mobile",
            ),
            (
                "Tasks I create on my phone don't show up on the web.",
                "The mobile app doesn't sync anymore.",
                "I lost changes I made offline.",
                "The app shows old data.",
            ),
            ("I'm on the latest version.", "Android 14.", "iPhone.", "I reinstalled it."),
            ("アプリが同期されません", "スマホの変更が反映されない"),
            (
                "スマートフォンで作成したタスクがウェブに反映されません。",
                "オフラインで編集した内容が消えてしまいました。",
            ),
            None,
            "dashboard",
        ),
        Topic(
            "slack",
            (_a(191, "Connect Slack"), _a(192, "Slack notifications stopped")),
            ("connect slack", "slack integration", "slack {broken}", "slack disconnected", "slack auth error"),
            (
                "Slack integration {broken}",
                "Can't connect Slack",
                "Slack keeps disconnecting",
                "Slack authorisation error",
                "Slack messages stopped",
            ),
            (
                "Connecting Slack {broken}.",
                "I can't connect our Slack workspace.",
                "The Slack integration keeps disconnecting.",
                "Authorising Slack gives an invalid_state error.",
            ),
            ("I'm a Slack admin.", "It worked before.", "We reconnected twice.", "No messages since Monday."),
            ("Slack連携ができません", "Slackが切断される"),
            ("Slackと連携しようとするとエラーになります。", "Slack連携が何度も切れてしまいます。"),
            "connect_slack",
            "integrations",
        ),
        Topic(
            "cancel",
            (_a(201, "Cancel your subscription"), _a(202, "What happens to your data when you cancel")),
            ("cancel subscription", "cancel plan", "downgrade to free", "stop billing", "close account"),
            ("How do I cancel?", "Cancel my {plan}", "Downgrade request", "Stop my {subscription}", "Want to cancel"),
            (
                "How do I cancel my {subscription}?",
                "Please cancel my {plan} at the end of the month.",
                "I want to downgrade to the free plan.",
                "I can't find where to cancel.",
            ),
            ("We're moving to another tool.", "Budget cuts.", "Please confirm by email.", "Keep our data for now."),
            ("解約方法を教えてください", "プランのダウングレード"),
            ("サブスクリプションを解約したいのですが、方法が分かりません。", "無料プランに変更したいです。"),
            None,
            "billing",
        ),
        Topic(
            "upgrade",
            (_a(211, "Plans and prices"), _a(212, "Add seats to your plan")),
            ("upgrade plan", "pricing", "add seats", "business plan", "change plan"),
            (
                "Question about upgrading",
                "Adding seats",
                "Which plan do we need?",
                "Upgrade to business",
                "Pricing question",
            ),
            (
                "We'd like to upgrade but have a question about seats.",
                "How much is the business {plan}?",
                "Can we add two seats mid-month?",
                "Does the team {plan} include SSO?",
            ),
            ("We're 12 people.", "Annual billing would be better.", "We need invoices in EUR.", "Is there a discount?"),
            ("プランのアップグレードについて", "席数の追加"),
            (
                "ビジネスプランにアップグレードしたいのですが、料金について教えてください。",
                "月の途中で席数を追加できますか。",
            ),
            "upgrade",
            "pricing",
        ),
        Topic(
            "permissions",
            (_a(221, "Roles and permissions"), _a(222, "Share a project with a guest")),
            ("permissions", "can't see project", "guest access", "member role", "private project access"),
            (
                "{teammate} can't see a project",
                "Permissions question",
                "Access problem",
                "Guest access",
                "Project is hidden for my {teammate}",
            ),
            (
                "My {teammate} can't see our project.",
                "A member gets 'access denied' on a board.",
                "How do I give a guest access to one project?",
                "Roles are confusing, who can edit what?",
            ),
            ("They are an admin.", "The project is private.", "It's a client we work with.", "Since yesterday."),
            ("メンバーがプロジェクトを見られません", "権限の設定"),
            (
                "同僚が私たちのプロジェクトを閲覧できません。",
                "ゲストに1つのプロジェクトだけ共有する方法を教えてください。",
            ),
            None,
            "members",
        ),
    )
}
TOPIC_IDS = tuple(TOPICS)
# Topics a broken button leads to, for frictions that send the customer to help or support.
TOPIC_OF_ELEMENT = {t.element: t.id for t in TOPICS.values() if t.element is not None}
TOPIC_OF_ELEMENT["new_task"] = "mobile_sync"
TOPIC_OF_ELEMENT["save_profile"] = "permissions"
TOPIC_OF_ELEMENT["use_template"] = "import_csv"
TOPIC_OF_FORM = {
    "billing": "double_charge",
    "invite": "invite",
    "integration": "slack",
    "export_settings": "export",
    "notification_settings": "notifications",
    "profile": "permissions",
    "new_project": "import_csv",
}
TOPIC_OF_STEP = {
    "Profile Completed": "permissions",
    "First Project Created": "import_csv",
    "Teammate Invited": "invite",
}
