"""Generated support text: tickets, chat lines and search queries, with paraphrases, synonyms and typos.

All of it is generated from the templates in `topics.py`; none of it was written by a customer. Two questions about
one topic share a topic, not their words, which is what a repeated-question detector has to see through.
"""

from __future__ import annotations

import random
import re

from omotenashi.simulator.topics import TOPICS

SYNONYMS: dict[str, tuple[str, ...]] = {
    "charged": ("charged", "billed", "debited"),
    "charge": ("charge", "payment", "transaction"),
    "payment": ("payment", "charge", "debit"),
    "plan": ("plan", "subscription", "account"),
    "subscription": ("subscription", "plan", "membership"),
    "invoice": ("invoice", "receipt", "bill"),
    "broken": ("doesn't work", "isn't working", "is broken", "keeps failing", "fails", "won't work"),
    "teammate": ("teammate", "colleague", "coworker", "team member"),
    "invite": ("invite", "invitation", "invite email"),
    "export": ("export", "download", "exporting"),
    "import": ("import", "upload", "importer"),
    "notification": ("notification", "alert", "email"),
}
_SLOT = re.compile(r"\{(\w+)\}")
GREETINGS = ("Hi,", "Hello,", "Hey team,", "Hi there,", "", "", "Good morning,", "Hello support,")
CLOSINGS = ("Thanks", "Thank you!", "thx", "Regards", "Please help.", "", "Any idea?", "Cheers")
REPEAT_MARKERS = (
    "This is the second time I'm asking.",
    "I already wrote about this.",
    "Following up on my earlier message:",
    "Still waiting on this one.",
    "As I said in the chat,",
    "Asking again because it is still not fixed.",
)
RESOLVED_AGAIN = (
    "You marked this as solved but it's happening again.",
    "The fix didn't last.",
    "Same problem as last week.",
    "It was working for a day, now it's back.",
)
JA_REPEAT = ("以前にも問い合わせましたが、まだ解決していません。", "先日の件の続きです。")
NOT_HELPFUL = (
    "That didn't help.",
    "no that's not it",
    "Not what I asked",
    "still broken",
    "this doesnt answer my question",
    "I already read that",
    "Doesn't apply to me.",
)
HUMAN_PLEASE = (
    "Can I talk to a human?",
    "agent please",
    "I want to speak to a person",
    "connect me to someone from support",
    "real person pls",
    "Is there a human I can talk to?",
)
THANKS = ("That worked, thanks!", "perfect, thank you", "ok got it", "Thanks, solved.", "great, that fixed it")
CANNED_JA = {
    NOT_HELPFUL: ("解決しませんでした。", "それではないです。", "その記事は読みました。", "まだできません。"),
    HUMAN_PLEASE: ("担当者と話せますか？", "オペレーターにつないでください。", "人と話したいです。"),
    THANKS: ("できました、ありがとうございます。", "解決しました。助かりました。", "ありがとうございます！"),
}
BOT_SUGGESTS = (
    ("I found an article that might help: “{title}”.", "こちらの記事がお役に立つかもしれません：「{title}」"),
    ("This article could answer your question: “{title}”.", "「{title}」をご覧ください。"),
    ("Have a look at “{title}”.", "こちらをお試しください：「{title}」"),
    ("Here is something that may help: “{title}”.", "参考になりそうな記事です：「{title}」"),
)
BOT_DENIES = (
    (
        "Our team is busy right now. In the meantime, this article may help.",
        "ただいま担当者が対応できません。こちらの記事をご覧ください。",
    ),
    (
        "Sorry, no one is available at the moment. Can I help with an article instead?",
        "申し訳ありません、現在対応できる担当者がおりません。",
    ),
    ("I can help you faster! Try this article first.", "まずはこちらの記事をお試しください。"),
)
BOT_HANDOFF = (("Let me connect you with our team.", "担当者におつなぎします。"),
               ("Transferring you to a person now.", "オペレーターに転送しています。"))  # fmt: skip
AGENT_OPENERS = (
    ("Hi {name}, this is {agent}. Let me look into this for you.", "{name}様、サポートの{agent}です。確認いたします。"),
    (
        "Hello {name}! {agent} here, I'm checking your account now.",
        "{name}様、{agent}と申します。アカウントを確認しております。",
    ),
    (
        "Thanks for waiting, {name}. I'm {agent} and I'll help with this.",
        "{name}様、お待たせしました。{agent}が対応いたします。",
    ),
)
AGENT_FIXES = (
    ("I've fixed it on our side, could you try again?", "こちらで修正いたしました。もう一度お試しいただけますか。"),
    (
        "That should be sorted now. Let me know if it happens again.",
        "解決したはずです。再発した場合はお知らせください。",
    ),
    ("Done! It should work now.", "対応しました。これで動作するはずです。"),
)
_NEIGHBOURS = dict(zip("qwertyuiopasdfghjklzxcvbnm", "wqrtyuiopoaqdfghjkjxzcvbnm", strict=True))


def fill(template: str, rng: random.Random) -> str:
    """Replace each `{word}` slot with one of its synonyms."""
    return _SLOT.sub(lambda m: rng.choice(SYNONYMS.get(m.group(1), (m.group(1),))), template)


def typos(text: str, rng: random.Random, rate: float) -> str:
    """Misspell some words the way hurried typing does: swapped, dropped, doubled or neighbouring letters."""
    words = text.split(" ")
    for i, word in enumerate(words):
        if len(word) < 4 or not word.isalpha() or rng.random() >= rate:
            continue
        k = rng.randrange(1, len(word) - 1)
        how = rng.randrange(4)
        if how == 0:
            word = word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]
        elif how == 1:
            word = word[:k] + word[k + 1 :]
        elif how == 2:
            word = word[:k] + word[k] + word[k:]
        else:
            word = word[:k] + _NEIGHBOURS.get(word[k].lower(), word[k]) + word[k + 1 :]
        words[i] = word
    return " ".join(words)


def _style(text: str, rng: random.Random) -> str:
    """Casual writers drop capitals and full stops."""
    roll = rng.random()
    if roll < 0.15:
        return text.lower()
    if roll < 0.22:
        return text.rstrip(".!")
    return text


class Writer:
    """Generated text in one customer's voice: their language, how careful a typist they are."""

    def __init__(self, rng: random.Random, language: str, first_name: str) -> None:
        self.rng = rng
        self.japanese = language == "ja"
        self.first_name = first_name
        self.typo_rate = rng.choice((0.0, 0.01, 0.03, 0.06))

    def _en(self, text: str) -> str:
        return _style(typos(fill(text, self.rng), self.rng, self.typo_rate), self.rng)

    def subject(self, topic: str) -> str:
        """A ticket subject line about `topic`."""
        t = TOPICS[topic]
        if self.japanese:
            return self.rng.choice(t.ja_subjects)
        return self._en(self.rng.choice(t.subjects))

    def body(self, topic: str, *, repeat: bool = False, after_resolved: bool = False) -> str:
        """A ticket or e-mail body about `topic`; a repeat sometimes says so, sometimes not."""
        rng, t = self.rng, TOPICS[topic]
        if self.japanese:
            lead = rng.choice(JA_REPEAT) if (repeat or after_resolved) and rng.random() < 0.6 else ""
            return lead + rng.choice(t.ja_bodies)
        parts = [rng.choice(GREETINGS)]
        if after_resolved and rng.random() < 0.6:
            parts.append(rng.choice(RESOLVED_AGAIN))
        elif repeat and rng.random() < 0.5:
            parts.append(rng.choice(REPEAT_MARKERS))
        parts.append(self._en(rng.choice(t.problems)))
        if rng.random() < 0.7:
            parts.append(self._en(rng.choice(t.details)))
        closing = rng.choice(CLOSINGS)
        if closing:
            parts.append(closing + ("" if rng.random() < 0.5 else f"\n{self.first_name}"))
        return " ".join(p for p in parts if p)

    def chat_opening(self, topic: str, *, repeat: bool = False) -> str:
        """The first thing a customer types into the chat: short, often without a greeting."""
        rng, t = self.rng, TOPICS[topic]
        if self.japanese:
            return rng.choice(t.ja_subjects) + ("。以前にも聞きました。" if repeat and rng.random() < 0.5 else "")
        text = self._en(rng.choice(t.problems if rng.random() < 0.6 else t.subjects))
        if repeat and rng.random() < 0.4:
            text = rng.choice(REPEAT_MARKERS) + " " + text
        return text

    def query(self, topic: str) -> str:
        """A help-centre search, as typed."""
        t = TOPICS[topic]
        text = fill(self.rng.choice(t.queries), self.rng).lower()
        return typos(text, self.rng, self.typo_rate * 2)

    def pick(self, options: tuple[str, ...]) -> str:
        """One of the canned customer lines (not helpful, a person please, thanks), with this customer's typos."""
        if self.japanese:
            return self.rng.choice(CANNED_JA[options])
        return typos(self.rng.choice(options), self.rng, self.typo_rate)

    def staff(self, options: tuple[tuple[str, str], ...], **slots: str) -> str:
        """A line of the bot or an agent, in the customer's language, with its slots filled."""
        line = self.rng.choice(options)[1 if self.japanese else 0]
        for name, value in slots.items():
            line = line.replace("{" + name + "}", value)
        return line
