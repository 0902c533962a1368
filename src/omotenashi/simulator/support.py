"""Reaching support: tickets by web form and e-mail, chats, follow-ups, and the labels repeats earn.

A question arises (on its own, or after friction) and the customer asks through a channel. A ticket is resolved by
an agent (most are) or left open; an open matter brings the customer back, usually through another channel, with
different words: a repeated question. A matter marked resolved that was not really fixed brings them back too:
asked twice (it is also a repeated question, and carries both labels). Look-alikes: most matters are asked once
and resolved for good; the same customer asks about another topic within days; some ask about the same topic
again weeks later, outside the 14-day window.
"""

from __future__ import annotations

import math

from omotenashi.simulator.bot import conversation
from omotenashi.simulator.frictions import ASKED_TWICE, REPEAT_WINDOW_MS, REPEATED_QUESTION, Label
from omotenashi.simulator.state import Contact, Life
from omotenashi.simulator.timeline import SERVER, WEB
from omotenashi.simulator.topics import TOPIC_IDS
from omotenashi.simulator.world import DAY_MS, HOUR_MS, session_hour

MAX_CONTACTS = 4  # per matter
FOLLOW_UP = {"unresolved": 0.55, "bot_loop": 0.65, "another": 0.55}
RECURS = 0.14  # a resolved matter that was not really fixed
LATER_AGAIN = 0.08  # a resolved matter whose need comes back weeks later (a look-alike)
ANOTHER = 0.15  # a second, unrelated question within days (a look-alike)


def arise(life: Life, day_ms: int, topic: str | None = None, why: str = "own") -> None:
    """A question for support comes up on this day (at a waking hour of the customer's)."""
    rng = life.rng
    topic = topic or _topic_for(life)
    ms = life.customer.local_ms(day_ms, session_hour(rng))
    life.support_due.append((ms, topic, why))


def after_friction(life: Life, t: int, topic: str | None, chance: float) -> None:
    """Friction sends some customers to support about it, within hours or days."""
    rng = life.rng
    if topic is None or rng.random() >= chance:
        return
    delay = int(rng.expovariate(1 / (20 * HOUR_MS))) + 10 * 60_000
    life.support_due.append((t + min(delay, 5 * DAY_MS), topic, "friction"))


def on_day(life: Life, day_ms: int) -> None:
    """Make the contacts due on this day."""
    if not life.support_due:
        return
    end = day_ms + DAY_MS
    due = sorted(d for d in life.support_due if d[0] < end)
    if not due:
        return
    life.support_due = [d for d in life.support_due if d[0] >= end]
    for planned, topic, why in due:
        ms = life.after_busy(planned)
        if life.quiet(ms):
            continue
        contact(life, ms, topic, why)


def contact(life: Life, ms: int, topic: str, why: str, *, bot_loop: str | None = None, device: str = WEB) -> None:
    """The customer asks support about `topic` through some channel, and what follows is scheduled."""
    rng = life.rng
    run = life.matters.get(topic, [])
    last = run[-1] if run else None
    repeat = last is not None and ms - _settled(last) <= REPEAT_WINDOW_MS
    if repeat and len(run) >= MAX_CONTACTS:
        return
    if bot_loop is not None:
        made = conversation(life, ms, topic, device, repeat=repeat, loop=bot_loop)
    else:
        channel = _channel(life, last.channel if repeat and last is not None else None)
        reopen = last if repeat and last is not None and last.channel != "chat" and last.resolved_ms else None
        if channel == "chat":
            life.tl.page(ms - rng.randint(5_000, 60_000), "contact")
            made = conversation(life, ms, topic, WEB, repeat=repeat)
        elif reopen is not None and why == "recurs" and rng.random() < 0.4:
            made = _reopen(life, ms, topic, reopen)
        else:
            made = _ticket(life, ms, topic, channel, repeat=repeat, after_resolved=why == "recurs")
    life.contacts += 1
    life.busy_until = max(life.busy_until, life.tl.last_ms)
    _record(life, topic, made, repeat)
    _next(life, topic, made, "bot_loop" if bot_loop else "another" if why == "another" else "unresolved")


def _settled(c: Contact) -> int:
    """When a contact last moved: its resolution if it had one, else when it was made."""
    return c.resolved_ms if c.resolved_ms is not None else c.ms


def _channel(life: Life, previous: str | None) -> str:
    rng = life.rng
    options = ["chat", "web", "email"]
    if previous is not None and rng.random() < 0.7:  # asking again, people try another way
        options.remove(previous)
    weights = {"chat": 4, "web": 3, "email": 3}
    total = sum(weights[o] for o in options)
    roll = rng.random() * total
    for option in options:
        roll -= weights[option]
        if roll < 0:
            return option
    return options[-1]


def _resolution_delay(life: Life) -> int:
    """How long an agent takes to resolve a ticket: hours, sometimes days."""
    return min(5 * DAY_MS, int(6 * HOUR_MS * math.exp(life.rng.gauss(0, 1.0))))


def _ticket(life: Life, ms: int, topic: str, channel: str, *, repeat: bool, after_resolved: bool) -> Contact:
    rng = life.rng
    ticket_id = life.ticket_id()
    device = WEB if channel == "web" else SERVER
    if channel == "web":
        life.tl.page(ms - rng.randint(30_000, 240_000), "contact")
    props = {
        "ticket_id": ticket_id,
        "subject": life.writer.subject(topic),
        "body": life.writer.body(topic, repeat=repeat, after_resolved=after_resolved),
        "channel": channel,
    }
    opening = life.tl.track(ms, "Ticket Created", props, device)
    life.ticket_ids[opening] = ticket_id
    if rng.random() < (0.7 if life.customer.troubled else 0.85):
        done = ms + _resolution_delay(life)
        resolution = life.tl.track(done, "Ticket Resolved", {"ticket_id": ticket_id}, SERVER)
        return Contact(ms, channel, opening, done, resolution)
    return Contact(ms, channel, opening, None, None)


def _reopen(life: Life, ms: int, topic: str, last: Contact) -> Contact:
    """The customer answers the resolved ticket's e-mail: the ticket reopens."""
    ticket_id = _ticket_of(life, last)
    body = life.writer.body(topic, after_resolved=True)
    opening = life.tl.track(ms, "Ticket Reopened", {"ticket_id": ticket_id, "body": body}, SERVER)
    life.ticket_ids[opening] = ticket_id
    if life.rng.random() < 0.8:
        done = ms + _resolution_delay(life)
        resolution = life.tl.track(done, "Ticket Resolved", {"ticket_id": ticket_id}, SERVER)
        return Contact(ms, last.channel, opening, done, resolution, reopened=True)
    return Contact(ms, last.channel, opening, None, None, reopened=True)


def _ticket_of(life: Life, contact: Contact) -> str:
    return life.ticket_ids[contact.opening]


def _record(life: Life, topic: str, made: Contact, repeat: bool) -> None:
    """Remember the contact, and label it when it repeats an earlier one."""
    run = life.matters.setdefault(topic, [])
    if not repeat:
        run.clear()
    earlier = list(run)
    run.append(made)
    if not earlier:
        return
    resolved = [c for c in earlier if c.resolved_ms is not None and c.resolved_ms <= made.ms]
    label = life.open_questions.get(topic)
    if label is None or label.evidence[-1] != earlier[-1].opening:
        label = life.book.add(
            REPEATED_QUESTION,
            "after_resolved" if resolved else "unresolved",
            made.ms,
            [earlier[-1].opening, made.opening],
            detectable_ms=made.ms,
            topic=topic,
            channels=[earlier[-1].channel, made.channel],
            first_asked_ms=earlier[-1].ms,
        )
        life.open_questions[topic] = label
    else:
        label.evidence.append(made.opening)
        label.details["channels"].append(made.channel)
    label.end_ms = made.resolved_ms
    if resolved:
        before = resolved[-1]
        assert before.resolution is not None
        twice: Label = life.book.add(
            ASKED_TWICE,
            "after_resolved",
            made.ms,
            [before.opening, before.resolution, made.opening],
            end_ms=made.resolved_ms,
            detectable_ms=made.ms,
            topic=topic,
            resolved_ms=before.resolved_ms,
            channels=[before.channel, made.channel],
        )
        twice.details["reopened"] = made.reopened


def _next(life: Life, topic: str, made: Contact, why: str) -> None:
    """Schedule what this contact leads to: a follow-up when left open, a recurrence when the fix did not hold."""
    rng = life.rng
    if why != "another" and rng.random() < ANOTHER:
        other = rng.choice([t for t in TOPIC_IDS if t != topic])
        life.support_due.append((made.ms + rng.randint(HOUR_MS, 10 * DAY_MS), other, "another"))
    if made.resolved_ms is None:
        if rng.random() < FOLLOW_UP[why]:
            life.support_due.append((made.ms + rng.randint(DAY_MS // 2, 6 * DAY_MS), topic, "follow_up"))
        return
    roll = rng.random()
    if roll < RECURS:
        life.support_due.append((made.resolved_ms + rng.randint(HOUR_MS * 6, 9 * DAY_MS), topic, "recurs"))
    elif roll < RECURS + LATER_AGAIN:
        life.support_due.append((made.resolved_ms + rng.randint(20 * DAY_MS, 40 * DAY_MS), topic, "later"))


def _topic_for(life: Life) -> str:
    """What a customer asks about when nothing in particular went wrong: paid customers ask about billing more."""
    rng = life.rng
    if life.plan != "free" and rng.random() < 0.35:
        return rng.choice(("double_charge", "invoice_download", "upgrade", "cancel"))
    return rng.choice(TOPIC_IDS)
