"""Using the product: visits on the web and in the phone app, the work done in them, the look-alikes of friction
sprinkled through normal visits, and the planted session frictions when they fall due.

How often a customer visits follows their own baseline (sessions per week), the weekday, their first week, and —
when a quiet decline is planted — a slide to a fraction of that baseline over one to three weeks.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from omotenashi.simulator import decline, helpcenter, interface, subscriptions, support
from omotenashi.simulator.company import BROKEN_CANDIDATES, ELEMENTS, EXPORT_FORMATS
from omotenashi.simulator.frictions import (
    DEAD_CLICK,
    ERROR_CLICK,
    FORM_ABANDONMENT,
    HELP_LOOP,
    RAGE_CLICK,
    WEB_ONLY,
    Due,
)
from omotenashi.simulator.onboarding import traits
from omotenashi.simulator.state import Life
from omotenashi.simulator.timeline import APP, WEB
from omotenashi.simulator.topics import TOPIC_IDS, TOPIC_OF_ELEMENT, TOPICS
from omotenashi.simulator.world import DAY_MS, WEEKDAY, poisson, session_hour

Action = Callable[[Life, int, str], int]
FRICTION_FORMS = (("billing", 25), ("invite", 20), ("integration", 15), ("export_settings", 10),
                  ("notification_settings", 10), ("profile", 10), ("new_project", 10))  # fmt: skip
AFTER_FRICTION = {RAGE_CLICK: 0.2, DEAD_CLICK: 0.15, ERROR_CLICK: 0.3, FORM_ABANDONMENT: 0.15, HELP_LOOP: 0.45}


def _result(life: Life, key: str) -> Callable[[int], str]:
    """What a working click on `key` causes, as a function of the time it shows."""
    tl, rng, project = life.tl, life.rng, f"P-{life.customer.index:06d}-{max(1, life.projects)}"
    if key == "task_card":
        return lambda t: tl.page(t, "task", path=f"/app/task/{rng.randrange(1, 500)}")
    pages = {"project_link": "board", "open_reports": "reports", "settings": "profile", "open_billing": "billing",
             "next_page": "reports", "invite": "members", "upgrade": "billing"}  # fmt: skip
    if key in pages:
        return lambda t: tl.page(t, pages[key])
    tracks: dict[str, tuple[str, Callable[[], dict[str, object]]]] = {
        "new_task": ("Task Created", lambda: {"project_id": project}),
        "complete_task": ("Task Completed", lambda: {"project_id": project}),
        "comment": ("Comment Added", lambda: {"length": rng.randint(5, 400)}),
        "attach": ("File Uploaded", lambda: {"size_kb": rng.randint(12, 9_000)}),
        "export": ("Report Exported", lambda: {"format": rng.choice(EXPORT_FORMATS)}),
        "download_invoice": ("Invoice Downloaded", lambda: {"invoice_id": f"INV-{rng.randrange(10**6):06d}"}),
        "save_profile": ("Profile Updated", dict),
        "connect_slack": ("Integration Connected", lambda: {"integration": "slack"}),
        "start_import": ("Import Started", lambda: {"rows": rng.randint(20, 3_000)}),
        "use_template": ("Project Created", lambda: {"project_id": project, "template": True}),
        "mute": ("Project Muted", lambda: {"project_id": project}),
        "filter_chip": ("Board Filtered", lambda: {"filter": rng.choice(("mine", "due_soon", "overdue"))}),
        "checklist_item": ("Task Updated", lambda: {"change": "checklist"}),
    }
    event, props = tracks[key]
    return lambda t: tl.track(t, event, props())


def _go_to(life: Life, t: int, key: str) -> int:
    """Open the page an element is on, unless the customer is already there."""
    page = ELEMENTS[key].page
    if life.tl.current_page == page:
        return t
    life.tl.page(t, page, path=f"/app/task/{life.rng.randrange(1, 500)}" if page == "task" else None)
    return t + life.rng.randint(2_000, 15_000)


def _click_or_key(life: Life, t: int, key: str) -> int:
    """Most actions are clicks; some are keyboard shortcuts that leave only their result."""
    if life.rng.random() < 0.35:
        _result(life, key)(t)
        return t
    c = life.customer
    double = key == "task_card" and life.rng.random() < (0.5 if c.double_clicker else 0.03)
    return interface.working_click(life, t, key, _result(life, key), double=double)


_WEB_WORK = (("task_card", 25), ("new_task", 14), ("complete_task", 14), ("comment", 12), ("attach", 5),
             ("project_link", 10), ("open_reports", 6), ("export", 3), ("settings", 4), ("filter_chip", 5),
             ("download_invoice", 1), ("mute", 1))  # fmt: skip
_WEB_BROWSE = (("templates", 30), ("profile", 20), ("dashboard", 25), ("import", 10), ("members", 15))
_APP_WORK = (("Board", 30), ("Task", 30), ("Task Created", 15), ("Comment Added", 15), ("Inbox", 10))


def _pick(life: Life, options: tuple[tuple[str, int], ...]) -> str:
    total = sum(w for _, w in options)
    roll = life.rng.random() * total
    for name, weight in options:
        roll -= weight
        if roll < 0:
            return name
    return options[-1][0]


def _act(life: Life, t: int, device: str) -> int:
    """One piece of work, then a pause before the next."""
    rng = life.rng
    if device == APP:
        what = _pick(life, _APP_WORK)
        if what in ("Task Created", "Comment Added"):
            life.tl.track(t, what, {"project_id": f"P-{life.customer.index:06d}-1"}, APP)
        else:
            life.tl.screen(t, what)
            if what == "Task" and rng.random() < 0.5:
                life.tl.track(t + rng.randint(3_000, 60_000), "Task Completed", {}, APP)
    elif not life.has_project:
        life.tl.page(t, _pick(life, _WEB_BROWSE))
    else:
        key = _pick(life, _WEB_WORK)
        t = _click_or_key(life, _go_to(life, t, key), key)
    return t + rng.randint(4_000, 120_000)


def _look_alike(life: Life, t: int, device: str) -> int:
    """Now and then, something normal that resembles friction."""
    rng, c = life.rng, life.customer
    roll = rng.random()
    if device == APP:
        return helpcenter.single_view(life, t, APP) if roll < 0.04 else t
    chances: tuple[tuple[float, Action], ...] = (
        (0.05, lambda lf, ts, d: helpcenter.single_view(lf, ts, d)),
        (0.01 + (0.1 if c.doc_reader else 0.0), lambda lf, ts, d: helpcenter.doc_reading(lf, ts)),
        (0.03, lambda lf, ts, d: helpcenter.search_and_click(lf, ts)),
        (0.015, lambda lf, ts, d: helpcenter.lone_search(lf, ts)),
        (0.04, lambda lf, ts, d: helpcenter.revisit(lf, ts)),
        (0.02, lambda lf, ts, d: interface.quick_checklist(lf, ts)),
        (0.015, lambda lf, ts, d: interface.select_text(lf, ts)),
        (0.02, lambda lf, ts, d: interface.slow_paging(lf, ts)),
        (0.02, lambda lf, ts, d: interface.focus_only(lf, ts, rng.choice(("invite", "billing", "integration")))),
        (0.007, lambda lf, ts, d: interface.background_error(lf, ts)),
    )
    for chance, action in chances:
        if roll < chance:
            return action(life, t, device)
        roll -= chance
    return t


def _episode(life: Life, t: int, due: Due, device: str) -> int:
    """A planted friction, in the middle of a visit."""
    rng = life.rng
    kind = due.kind
    topic: str | None
    if kind in (RAGE_CLICK, DEAD_CLICK, ERROR_CLICK):
        key = rng.choice(BROKEN_CANDIDATES)
        topic = TOPIC_OF_ELEMENT.get(key)
        if kind == RAGE_CLICK:
            t = interface.rage_click(life, t, key, due.variant, _result(life, key))
        elif kind == DEAD_CLICK:
            t = interface.dead_click(life, t, key)
        else:
            t = interface.error_click(life, t, key, _result(life, key))
    elif kind == FORM_ABANDONMENT:
        form = _pick(life, FRICTION_FORMS)
        t, _ = interface.troubled_form(life, t, form, due.variant)
        topic = life.book.labels[-1].details.get("topic")
    elif kind == HELP_LOOP:
        topic = _trouble_topic(life)
        element = TOPICS[topic].element
        resolve = (
            (lambda ts: interface.working_click(life, _go_to(life, ts, element), element, _result(life, element)))
            if element
            else None
        )
        t = helpcenter.help_loop(life, t, topic, due.variant, resolve)
    else:
        support.contact(life, t, _trouble_topic(life), "friction", bot_loop=due.variant, device=device)
        return t + 20 * 60_000
    support.after_friction(life, t, topic, AFTER_FRICTION.get(kind, 0.0))
    if life.book.labels[-1].end_ms is None:
        decline.start_after_friction(life, t)
    return t


def _trouble_topic(life: Life) -> str:
    """What the customer is struggling with: the topic of their latest friction, else anything."""
    for label in reversed(life.book.labels):
        topic = label.details.get("topic")
        if isinstance(topic, str):
            return topic
    return life.rng.choice(TOPIC_IDS)


def daily_rate(life: Life, day_ms: int) -> float:
    """Expected visits on a day."""
    c = life.customer
    rate = c.weekly / 7 * life.config.scale * WEEKDAY[(day_ms // DAY_MS + 3) % 7]
    if not c.existing and day_ms - c.signup_ms < 7 * DAY_MS:
        rate *= 1.3
    if not life.has_project:
        rate *= 0.6
    if life.decline is not None:
        rate *= life.decline.factor(day_ms + DAY_MS // 2)
    return rate


def visits(life: Life, day_ms: int) -> None:
    """The day's visits."""
    rng, c = life.rng, life.customer
    n = poisson(rng, daily_rate(life, day_ms))
    for planned in sorted(c.local_ms(day_ms, session_hour(rng)) for _ in range(n)):
        start = life.after_busy(planned)
        if start < c.signup_ms + 60 * 60_000 or life.quiet(start):
            continue
        life.busy_until = max(life.busy_until, visit(life, start))


def visit(life: Life, t: int) -> int:
    """One visit: open, a few pieces of work, maybe a look-alike, maybe a planted friction; returns when it ended."""
    rng, c, tl = life.rng, life.customer, life.tl
    day = life.day_of(t)
    ready = [d for d in life.due if d.day <= day]
    device = APP if c.app_id is not None and rng.random() < c.app_share else WEB
    episode = next((d for d in ready if device == WEB or d.kind not in WEB_ONLY), None)
    if episode is not None:
        life.due.remove(episode)
    if not life.identified:
        tl.identify(t - 1_000, traits(c, life.plan), device)
        life.identified = True
    if device == WEB:
        if rng.random() < 0.1:
            tl.track(t, "Signed In", {"method": rng.choice(("password", "google", "sso"))})
            t += rng.randint(500, 3_000)
        first = tl.page(t, "dashboard")
    else:
        first = tl.track(t, "Application Opened", {"from_background": rng.random() < 0.6}, APP)
        tl.screen(t + rng.randint(300, 1_500), "Dashboard")
    life.sessions.append((t, first))
    t += rng.randint(3_000, 30_000)
    work = 1 + poisson(rng, 1.3)
    at = rng.randrange(work + 1)
    for k in range(work + 1):
        if k == at:
            before = t
            if episode is not None:
                t = _episode(life, t, episode, device)
            t = _look_alike(life, t, device)
            t = _relationship(life, t, device)
            if t != before:
                t += rng.randint(3_000, 20_000)
        if k < work:
            t = _act(life, t, device)
    if device == WEB and rng.random() < 0.06:
        tl.track(t, "Signed Out", {})
    return t


def _relationship(life: Life, t: int, device: str) -> int:
    """Rare moments about the relationship itself: upgrading, the NPS survey."""
    rng = life.rng
    if device == WEB and life.plan == "free" and life.onboarded and rng.random() < _upgrade_chance(life, t):
        return subscriptions.upgrade(life, t)
    if life.nps is None and life.onboarded and rng.random() < 0.03:
        return subscriptions.survey(life, t)
    return t


def _upgrade_chance(life: Life, t: int) -> float:
    base = {"light": 0.004, "casual": 0.008, "regular": 0.012, "power": 0.02}[life.customer.engagement]
    return base * math.pow(0.5, min(3.0, life.book.pressure(t, subscriptions.LOOKBACK_MS)))
