"""The synthetic company: Tsumiki, a made-up team task board sold as software, with its pages, buttons and forms.

Nothing here describes a real company or product. Every name, path and selector is invented for the simulator and
is the vocabulary `docs/events.md` documents.
"""

from __future__ import annotations

from typing import NamedTuple

COMPANY = "Tsumiki (synthetic)"
APP_HOST = "https://app.tsumiki.example"
SITE_HOST = "https://www.tsumiki.example"
HELP_HOST = "https://help.tsumiki.example"
CURRENCY = "USD"


class Plan(NamedTuple):
    """A price list entry: dollars per seat per month (free costs nothing)."""

    id: str
    seat_price: int
    base_churn: float  # chance of cancelling at a monthly renewal with no friction and steady use


PLANS = {
    "free": Plan("free", 0, 0.0),
    "team": Plan("team", 12, 0.035),
    "business": Plan("business", 30, 0.02),
}
TRIAL_DAYS = 14


class Page(NamedTuple):
    """A page of the web app or the marketing site; `category` is Segment's page category."""

    name: str
    path: str
    category: str
    host: str


PAGES = {
    # marketing site (the discover stage)
    "home": Page("Home", "/", "Marketing", SITE_HOST),
    "features": Page("Features", "/features", "Marketing", SITE_HOST),
    "pricing": Page("Pricing", "/pricing", "Marketing", SITE_HOST),
    "blog": Page("Blog: five rituals for calmer sprints", "/blog/calmer-sprints", "Marketing", SITE_HOST),
    "customers": Page("Customer stories", "/customers", "Marketing", SITE_HOST),
    "signup": Page("Sign up", "/signup", "Signup", SITE_HOST),
    # the web app
    "dashboard": Page("Dashboard", "/app", "App", APP_HOST),
    "board": Page("Board", "/app/board", "App", APP_HOST),
    "task": Page("Task", "/app/task", "App", APP_HOST),
    "inbox": Page("Inbox", "/app/inbox", "App", APP_HOST),
    "reports": Page("Reports", "/app/reports", "App", APP_HOST),
    "templates": Page("Templates", "/app/templates", "App", APP_HOST),
    "import": Page("Import", "/app/import", "App", APP_HOST),
    "profile": Page("Profile", "/app/settings/profile", "Settings", APP_HOST),
    "new_project": Page("New project", "/app/projects/new", "App", APP_HOST),
    "members": Page("Members", "/app/settings/members", "Settings", APP_HOST),
    "billing": Page("Billing", "/app/settings/billing", "Settings", APP_HOST),
    "invoices": Page("Invoices", "/app/settings/billing/invoices", "Settings", APP_HOST),
    "integrations": Page("Integrations", "/app/settings/integrations", "Settings", APP_HOST),
    "notifications": Page("Notification settings", "/app/settings/notifications", "Settings", APP_HOST),
    "security": Page("Security", "/app/settings/security", "Settings", APP_HOST),
    "help_article": Page("Help article", "/articles", "Help", HELP_HOST),
    "help_search": Page("Help search", "/search", "Help", HELP_HOST),
    "contact": Page("Contact support", "/contact", "Help", HELP_HOST),
    "status": Page("Status", "/status", "Marketing", SITE_HOST),
}
APP_SCREENS = ("Dashboard", "Board", "Task", "Inbox", "Settings", "Notifications")
MARKETING_PAGES = ("home", "features", "pricing", "blog", "customers")
SETTINGS_PAGES = ("profile", "members", "billing", "invoices", "integrations", "notifications", "security")


class Element(NamedTuple):
    """A clickable element: where it sits on its page (CSS pixels, a 1440-wide layout) and what it says."""

    selector: str
    text: str
    page: str  # a key of PAGES
    x: int
    y: int


ELEMENTS = {
    "task_card": Element("div.task-card", "Task card", "board", 420, 310),
    "new_task": Element("button.new-task", "New task", "board", 1180, 92),
    "complete_task": Element("input.task-done", "Mark as done", "task", 96, 188),
    "comment": Element("button.add-comment", "Comment", "task", 860, 640),
    "attach": Element("button.attach-file", "Attach file", "task", 980, 640),
    "project_link": Element("a.sidebar-project", "Project", "dashboard", 110, 260),
    "open_reports": Element("a.nav-reports", "Reports", "dashboard", 110, 420),
    "export": Element("button.export-report", "Export", "reports", 1250, 96),
    "next_page": Element("button.pager-next", "Next", "reports", 1320, 860),
    "settings": Element("a.nav-settings", "Settings", "dashboard", 110, 700),
    "open_billing": Element("a.settings-billing", "Billing", "profile", 200, 300),
    "download_invoice": Element("a.invoice-download", "Download invoice", "invoices", 1100, 240),
    "save_profile": Element("button.save-profile", "Save changes", "profile", 1200, 780),
    "invite": Element("button.invite-member", "Invite teammate", "members", 1220, 120),
    "connect_slack": Element("button.connect-slack", "Connect Slack", "integrations", 1160, 260),
    "upgrade": Element("a.upgrade-cta", "Upgrade", "pricing", 720, 540),
    "use_template": Element("button.use-template", "Use template", "templates", 900, 380),
    "start_import": Element("button.start-import", "Import CSV", "import", 720, 460),
    "mute": Element("button.mute-project", "Mute", "notifications", 1180, 330),
    "filter_chip": Element("button.filter-chip", "Filter", "board", 300, 150),
    "checklist_item": Element("input.checklist-item", "Checklist item", "task", 120, 420),
    "description": Element("p.task-description", "Description", "task", 640, 300),  # text, not a control
}
# Elements whose click does nothing any event records when the product is broken for this customer.
BROKEN_CANDIDATES = (
    "export",
    "download_invoice",
    "save_profile",
    "invite",
    "connect_slack",
    "start_import",
    "use_template",
    "new_task",
)
ERROR_MESSAGES = {
    "export": "Export failed. Please try again later.",
    "download_invoice": "We couldn't generate this invoice (error 500).",
    "save_profile": "Something went wrong while saving your profile.",
    "invite": "Invitation could not be sent.",
    "connect_slack": "Slack authorisation failed: invalid_state.",
    "start_import": "Import failed: the file could not be read.",
    "use_template": "This template is unavailable.",
    "new_task": "Could not create the task. You may be offline.",
}
BACKGROUND_ERRORS = ("Connection lost. Reconnecting…", "Your session expired. Please sign in again.")


class Form(NamedTuple):
    """A form of the web app: its fields in the order a person fills them."""

    id: str
    page: str
    fields: tuple[str, ...]


FORMS = {
    "signup": Form("signup", "signup", ("email", "password", "company")),
    "profile": Form("profile", "profile", ("full_name", "role", "timezone")),
    "new_project": Form("new_project", "new_project", ("name", "template", "visibility")),
    "invite": Form("invite", "members", ("email", "role", "message")),
    "billing": Form("billing", "billing", ("card_name", "card_number", "expiry", "postcode", "vat_id")),
    "integration": Form("integration", "integrations", ("workspace_url", "channel")),
    "export_settings": Form("export_settings", "reports", ("format", "date_range", "columns")),
    "notification_settings": Form("notification_settings", "notifications", ("email_digest", "mentions", "quiet")),
}
VALIDATION_ERRORS = {
    "email": "Please enter a valid email address.",
    "card_number": "Your card number is incomplete.",
    "postcode": "Please enter a valid postcode.",
    "workspace_url": "This does not look like a Slack workspace URL.",
    "name": "Project names need at least 3 characters.",
}

ONBOARDING_STEPS = ("Account Created", "Profile Completed", "First Project Created", "Teammate Invited")
STEP_FORMS = {"Profile Completed": "profile", "First Project Created": "new_project", "Teammate Invited": "invite"}
AGENTS = ("Mika (support)", "Jonas (support)", "Priya (support)", "Kenta (support)", "Sofia (support)")
INTEGRATIONS = ("slack", "github", "google_drive", "calendar")
EXPORT_FORMATS = ("csv", "pdf", "xlsx")
REFERRERS = {
    "organic": "https://search.example/?q=team+task+board",
    "search_ads": "https://search.example/ads?c=tsumiki",
    "referral": "https://www.tsumiki.example/r/friend",
    "partner": "https://partner.example/marketplace/tsumiki",
    "social": "https://social.example/post/42",
}
CANCEL_REASONS = ("too_expensive", "missing_feature", "hard_to_use", "switched_tool", "project_ended", "other")
