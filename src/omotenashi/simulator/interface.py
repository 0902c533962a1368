"""Clicks and forms in the web app: working ones, planted rage, dead and error clicks, and the look-alikes.

Rules this world keeps (docs/events.md states them for detectors): a working click is followed by what it caused
within 3.5 s; a dead click by at least 8 s of nothing; a rage burst has 3 to 8 clicks, each within 300 ms of the
last and 30 px of the first. Look-alikes: double-clicks (2 clicks), quick clicks on different checklist items
(40 px apart), slow paging (clicks over a second apart), double and triple clicks that select text (a `p.`
element, not a control: nothing follows them), and errors no click caused.
"""

from __future__ import annotations

from collections.abc import Callable

from omotenashi.simulator.company import BACKGROUND_ERRORS, ELEMENTS, ERROR_MESSAGES, FORMS, PAGES, VALIDATION_ERRORS
from omotenashi.simulator.frictions import DEAD_CLICK, ERROR_CLICK, FORM_ABANDONMENT, RAGE_CLICK
from omotenashi.simulator.state import Life
from omotenashi.simulator.topics import TOPIC_OF_ELEMENT, TOPIC_OF_FORM

Result = Callable[[int], str]
SLOW_SHARE = 0.05  # working clicks that take 1.5–3.5 s to respond
DEAD_GAP_MS = 8_000
HARD_FIELDS = ("card_number", "vat_id", "role", "email", "workspace_url", "columns", "template", "timezone")


def click(life: Life, t: int, key: str, *, dx: int = 0, dy: int = 0, jitter: int = 6) -> str:
    """An `Element Clicked` message for a known element, near its usual position."""
    el = ELEMENTS[key]
    rng = life.rng
    props = {
        "selector": el.selector,
        "text": el.text,
        "x": el.x + dx + rng.randint(-jitter, jitter),
        "y": el.y + dy + rng.randint(-jitter, jitter),
        "page": PAGES[el.page].path,
    }
    return life.tl.track(t, "Element Clicked", props)


def response_delay(life: Life) -> int:
    """How long a working click takes to show its effect."""
    if life.rng.random() < SLOW_SHARE:
        return life.rng.randint(1_500, 3_500)
    return life.rng.randint(80, 1_200)


def working_click(life: Life, t: int, key: str, result: Result, *, double: bool = False) -> int:
    """A click that works; a double-clicker sometimes clicks twice (a look-alike of rage clicks)."""
    click(life, t, key)
    if double:
        t += life.rng.randint(90, 280)
        click(life, t, key, jitter=2)
    t += response_delay(life)
    result(t)
    return t


def rage_click(life: Life, t: int, key: str, variant: str, result: Result) -> int:
    """Planted: a burst of clicks on an element that does not respond; `slow_response` answers in the end."""
    rng = life.rng
    el = ELEMENTS[key]
    t = _open(life, t, el.page)
    first = t
    n = rng.randint(3, 8)
    mids = []
    times = []
    for k in range(n):
        if k:
            t += rng.randint(90, 300)
        mids.append(click(life, t, key, jitter=8))
        times.append(t)
    end = None
    if variant == "slow_response":
        t += rng.randint(300, 2_000)
        mids.append(result(t))
        end = t
    else:
        t += rng.randint(1_000, 4_000)
        _leave(life, t, el.page)
    life.book.add(
        RAGE_CLICK,
        variant,
        first,
        mids,
        end_ms=end,
        detectable_ms=times[2],
        selector=el.selector,
        text=el.text,
        page=PAGES[el.page].path,
        clicks=n,
        topic=TOPIC_OF_ELEMENT.get(key),
    )
    return t


def dead_click(life: Life, t: int, key: str) -> int:
    """Planted: a click after which nothing happens; the customer waits, then goes elsewhere."""
    el = ELEMENTS[key]
    t = _open(life, t, el.page)
    mid = click(life, t, key)
    life.book.add(
        DEAD_CLICK,
        "dead",
        t,
        [mid],
        detectable_ms=t + 5_000,
        selector=el.selector,
        text=el.text,
        page=PAGES[el.page].path,
        topic=TOPIC_OF_ELEMENT.get(key),
    )
    t += life.rng.randint(DEAD_GAP_MS, 40_000)
    _leave(life, t, el.page)
    return t


def error_click(life: Life, t: int, key: str, result: Result) -> int:
    """Planted: a click answered by an error; a third of the customers retry later and it works."""
    rng = life.rng
    el = ELEMENTS[key]
    t = _open(life, t, el.page)
    first = t
    mids = [click(life, t, key)]
    t += rng.randint(150, 900)
    message = ERROR_MESSAGES.get(key, "Something went wrong.")
    mids.append(life.tl.track(t, "Error Shown", {"message": message, "page": PAGES[el.page].path}))
    detectable = t
    end = None
    if rng.random() < 0.33:
        t += rng.randint(5_000, 30_000)
        t = working_click(life, t, key, result)
        end = t
    life.book.add(
        ERROR_CLICK,
        "error",
        first,
        mids,
        end_ms=end,
        detectable_ms=detectable,
        selector=el.selector,
        text=el.text,
        page=PAGES[el.page].path,
        message=message,
        topic=TOPIC_OF_ELEMENT.get(key),
    )
    return t


def quick_checklist(life: Life, t: int) -> int:
    """Look-alike: three to five checklist items ticked within a second, each a different element."""
    rng = life.rng
    if life.tl.current_page != "task":
        t = _open(life, t, "task")
    n = rng.randint(3, 5)
    for k in range(n):
        click(life, t, "checklist_item", dy=44 * k, jitter=3)
        life.tl.track(t + rng.randint(60, 250), "Task Updated", {"change": "checklist"})
        t += rng.randint(150, 300)
    return t + 500


def select_text(life: Life, t: int) -> int:
    """Look-alike: a double or triple click that selects a task's text; nothing follows, and nothing should."""
    rng = life.rng
    if life.tl.current_page != "task":
        t = _open(life, t, "task")
    for _ in range(rng.choice((2, 3, 3))):
        click(life, t, "description", jitter=2)
        t += rng.randint(120, 260)
    return t + rng.randint(5_000, 40_000)


def slow_paging(life: Life, t: int) -> int:
    """Look-alike: clicking Next through a report, over a second between clicks, each answered by a page."""
    rng = life.rng
    t = _open(life, t, "reports")
    for n in range(2, 2 + rng.randint(3, 5)):
        t += rng.randint(1_200, 3_000)
        click(life, t, "next_page", jitter=3)
        life.tl.page(t + rng.randint(150, 700), "reports", path=f"/app/reports?page={n}")
    return t + 1_000


def background_error(life: Life, t: int) -> int:
    """Look-alike: an error nobody clicked for (the connection dropped)."""
    t += life.rng.randint(10_000, 60_000)
    life.tl.track(t, "Error Shown", {"message": life.rng.choice(BACKGROUND_ERRORS), "page": PAGES["board"].path})
    return t


def fill_form(life: Life, t: int, form_id: str, *, open_page: bool = True) -> tuple[int, str]:
    """A form filled and submitted without trouble (one in ten meets a validation error and is corrected)."""
    rng = life.rng
    form = FORMS[form_id]
    if open_page:
        t = _open(life, t, form.page)
    for name in form.fields:
        t = _field(life, t, form_id, name)
    t += rng.randint(800, 4_000)
    submitted = life.tl.track(t, "Form Submitted", {"form": form_id})
    fixable = [f for f in form.fields if f in VALIDATION_ERRORS]
    if fixable and rng.random() < 0.1:
        name = rng.choice(fixable)
        t += rng.randint(100, 600)
        life.tl.track(t, "Error Shown", {"message": VALIDATION_ERRORS[name], "page": PAGES[form.page].path})
        t = _field(life, t + rng.randint(1_000, 4_000), form_id, name)
        t += rng.randint(800, 3_000)
        submitted = life.tl.track(t, "Form Submitted", {"form": form_id})
    return t, submitted


def focus_only(life: Life, t: int, form_id: str) -> int:
    """Look-alike: a field focused and left unchanged, the form never meant to be filled."""
    form = FORMS[form_id]
    t = _open(life, t, form.page)
    life.tl.track(t, "Form Field Focused", {"form": form_id, "field": form.fields[0]})
    t += life.rng.randint(3_000, 30_000)
    _leave(life, t, form.page)
    return t


def troubled_form(life: Life, t: int, form_id: str, variant: str) -> tuple[int, str | None]:
    """Planted: a form started and abandoned, or hesitated over (one field redone again and again).

    Returns the time and the messageId of the final submit, when the customer got through.
    """
    rng = life.rng
    form = FORMS[form_id]
    t = _open(life, t, form.page)
    first = t
    mids: list[str] = []
    hard = next((f for f in form.fields if f in HARD_FIELDS), form.fields[-1])
    detectable = None
    submitted = None
    if variant == "abandoned":
        touched = form.fields[: rng.randint(1, max(1, len(form.fields) - 1))]
        for name in touched:
            t = _field(life, t, form_id, name, mids)
        t += rng.randint(5_000, 90_000)
        detectable = t
        if rng.random() < 0.7:
            _leave(life, t, form.page)
        else:
            detectable = t + 30 * 60_000  # the visit just ended: leaving is known only after a quiet half-hour
    else:
        changes = 0
        for name in form.fields:
            rounds = rng.randint(3, 6) if name == hard else 1
            for _ in range(rounds):
                t = _field(life, t, form_id, name, mids, slow=name == hard)
                changes += name == hard
                if name == hard and changes == 3:
                    detectable = t
        if rng.random() < 0.7:
            t += rng.randint(2_000, 20_000)
            submitted = life.tl.track(t, "Form Submitted", {"form": form_id})
            mids.append(submitted)
        else:
            t += rng.randint(5_000, 60_000)
            _leave(life, t, form.page)
    life.book.add(
        FORM_ABANDONMENT,
        variant,
        first,
        mids,
        end_ms=t if submitted else None,
        detectable_ms=detectable,
        form=form_id,
        page=PAGES[form.page].path,
        field=hard if variant == "hesitated" else None,
        topic=TOPIC_OF_FORM.get(form_id),
    )
    return t, submitted


def _field(life: Life, t: int, form_id: str, name: str, mids: list[str] | None = None, *, slow: bool = False) -> int:
    rng = life.rng
    t += rng.randint(400, 3_000)
    focused = life.tl.track(t, "Form Field Focused", {"form": form_id, "field": name})
    t += rng.randint(8_000, 45_000) if slow else rng.randint(1_000, 9_000)
    changed = life.tl.track(t, "Form Field Changed", {"form": form_id, "field": name})
    if mids is not None:
        mids += (focused, changed)
    return t


def _open(life: Life, t: int, page: str) -> int:
    life.tl.page(t, page)
    return t + life.rng.randint(2_000, 12_000)


def _leave(life: Life, t: int, page: str) -> None:
    """The customer navigates away from `page` to somewhere else."""
    life.tl.page(t, "dashboard" if page != "dashboard" else "board")
