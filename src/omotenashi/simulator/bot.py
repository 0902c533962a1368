"""Chat conversations: the support bot first, a person when the bot hands over, and the planted bot loops.

The customer's lines come from their browser or phone; the bot's and agents' lines come from the chat platform
(the server context). Every line is generated text. Planted loops: the bot deflects to three or more articles;
the customer asks for a person and none comes; the handover to a person fails. Look-alikes: one article that
solves it, two articles and then a person, a person asked for and joining within minutes.
"""

from __future__ import annotations

from omotenashi.simulator.company import AGENTS
from omotenashi.simulator.frictions import BOT_LOOP
from omotenashi.simulator.helpcenter import view
from omotenashi.simulator.state import Contact, Life
from omotenashi.simulator.text import (
    AGENT_FIXES,
    AGENT_OPENERS,
    BOT_DENIES,
    BOT_HANDOFF,
    BOT_SUGGESTS,
    HUMAN_PLEASE,
    NOT_HELPFUL,
    THANKS,
)
from omotenashi.simulator.timeline import SERVER
from omotenashi.simulator.topics import TOPIC_IDS, TOPICS

HANDOFF_REASONS = ("no_agent_available", "queue_timeout", "routing_error")


class _Chat:
    """One conversation being written."""

    def __init__(self, life: Life, t: int, topic: str, device: str) -> None:
        self.life = life
        self.t = t
        self.started = t
        self.topic = topic
        self.device = device
        self.id = life.conversation_id()
        self.suggested = 0
        self.mids: list[str] = []

    def wait(self, low: int, high: int) -> int:
        self.t += self.life.rng.randint(low, high)
        return self.t

    def event(self, name: str, props: dict[str, object], *, server: bool = True) -> str:
        mid = self.life.tl.track(self.t, name, {"conversation_id": self.id, **props}, SERVER if server else self.device)
        self.mids.append(mid)
        return mid

    def say(self, who: str, text: str) -> str:
        return self.event("Chat Message Sent", {"from": who, "text": text}, server=who != "customer")

    def suggest(self) -> str:
        articles = TOPICS[self.topic].articles
        if self.suggested < len(articles):
            article = articles[self.suggested]
        else:  # out of on-topic articles, the bot reaches for others
            article = TOPICS[self.life.rng.choice(TOPIC_IDS)].articles[0]
        self.suggested += 1
        return self.event(
            "Bot Suggested Article",
            {
                "article_id": article.id,
                "title": article.title,
                "text": self.life.writer.staff(BOT_SUGGESTS, title=article.title),
            },
        )

    def end(self, resolved: bool) -> str:
        return self.event("Chat Ended", {"resolved": resolved})


def conversation(life: Life, t: int, topic: str, device: str, *, repeat: bool, loop: str | None = None) -> Contact:
    """A chat about `topic`; `loop` plants a bot loop of that variant. Returns the contact it made."""
    chat = _Chat(life, t, topic, device)
    chat.event("Chat Started", {"with": "bot"}, server=False)
    asked = chat.wait(2_000, 15_000)
    opening = chat.say("customer", life.writer.chat_opening(topic, repeat=repeat))
    if loop is not None:
        _loop(chat, loop)
        return Contact(asked, "chat", opening, None, None)
    roll = life.rng.random()
    if roll < 0.45:
        resolved, ended = _bot_solves(chat)
    elif roll < 0.85:
        resolved, ended = _person_helps(chat)
    else:
        chat.wait(2_000, 6_000)
        chat.suggest()
        chat.wait(60_000, 300_000)
        resolved, ended = False, chat.end(False)
    return Contact(asked, "chat", opening, chat.t if resolved else None, ended if resolved else None)


def _bot_solves(chat: _Chat) -> tuple[bool, str]:
    """The bot's article answers it, at once or at the second try."""
    life = chat.life
    chat.wait(2_000, 6_000)
    chat.suggest()
    if life.rng.random() < 0.25:
        chat.wait(10_000, 40_000)
        chat.say("customer", life.writer.pick(NOT_HELPFUL))
        chat.wait(2_000, 6_000)
        chat.suggest()
    chat.wait(3_000, 10_000)
    view(
        life, chat.t, TOPICS[chat.topic].articles[(chat.suggested - 1) % len(TOPICS[chat.topic].articles)], chat.device
    )
    chat.wait(30_000, 180_000)
    chat.say("customer", life.writer.pick(THANKS))
    chat.wait(1_000, 5_000)
    return True, chat.end(True)


def _person_helps(chat: _Chat) -> tuple[bool, str]:
    life = chat.life
    rng = life.rng
    for _ in range(rng.randint(1, 2)):
        chat.wait(2_000, 6_000)
        chat.suggest()
        chat.wait(10_000, 40_000)
        chat.say("customer", life.writer.pick(NOT_HELPFUL))
    chat.wait(2_000, 10_000)
    chat.say("customer", life.writer.pick(HUMAN_PLEASE))
    chat.event("Human Requested", {}, server=False)
    chat.wait(1_000, 3_000)
    chat.say("bot", life.writer.staff(BOT_HANDOFF))
    agent = rng.choice(AGENTS)
    chat.wait(60_000, 360_000)
    chat.event("Agent Joined", {"agent": agent})
    chat.wait(5_000, 20_000)
    chat.say("agent", life.writer.staff(AGENT_OPENERS, agent=agent.split(" ")[0], name=life.customer.first_name))
    chat.wait(20_000, 120_000)
    chat.say("customer", life.writer.body(chat.topic))
    chat.wait(120_000, 900_000)
    resolved = rng.random() < 0.85
    if resolved:
        chat.say("agent", life.writer.staff(AGENT_FIXES))
        chat.wait(30_000, 180_000)
        chat.say("customer", life.writer.pick(THANKS))
    chat.wait(5_000, 30_000)
    return resolved, chat.end(resolved)


def _loop(chat: _Chat, variant: str) -> None:
    life = chat.life
    rng = life.rng
    detectable = None
    if variant == "deflection":
        for k in range(rng.randint(3, 5)):
            chat.wait(2_000, 6_000)
            chat.suggest()
            if k == 2:
                detectable = chat.t
            chat.wait(10_000, 60_000)
            chat.say("customer", life.writer.pick(NOT_HELPFUL))
        chat.wait(20_000, 120_000)
        chat.end(False)
    else:
        for _ in range(rng.randint(1, 2)):
            chat.wait(2_000, 6_000)
            chat.suggest()
            chat.wait(10_000, 40_000)
            chat.say("customer", life.writer.pick(NOT_HELPFUL))
        chat.wait(2_000, 10_000)
        chat.say("customer", life.writer.pick(HUMAN_PLEASE))
        chat.event("Human Requested", {}, server=False)
        chat.wait(1_000, 4_000)
        if variant == "human_denied":
            for _ in range(rng.randint(1, 2)):
                chat.say("bot", life.writer.staff(BOT_DENIES))
                chat.wait(1_000, 3_000)
                chat.suggest()
                chat.wait(20_000, 90_000)
                chat.say("customer", life.writer.pick(HUMAN_PLEASE))
                chat.event("Human Requested", {}, server=False)
                chat.wait(2_000, 8_000)
            chat.wait(60_000, 240_000)
            detectable = chat.t
            chat.end(False)
        else:
            chat.say("bot", life.writer.staff(BOT_HANDOFF))
            chat.wait(30_000, 300_000)
            chat.event("Handoff Failed", {"reason": rng.choice(HANDOFF_REASONS)})
            detectable = chat.t
            chat.wait(10_000, 120_000)
            chat.end(False)
    life.book.add(
        BOT_LOOP,
        variant,
        chat.started,
        list(chat.mids),
        detectable_ms=detectable,
        conversation_id=chat.id,
        topic=chat.topic,
        suggestions=chat.suggested,
    )
