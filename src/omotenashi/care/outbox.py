"""What a care item puts in the outbox: the suggested message drafted from its template (in the customer's language
and tone), a signed webhook of the item to the company's own system, and a note to a Slack-compatible channel.

Actions are rows first and deliveries second: the dispatcher sends them, checks the contact rules again at the
moment of sending, retries with backoff, and dead-letters what never went through — an action is never lost.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from omotenashi.care.facts import Facts
from omotenashi.care.templates import Message, goodwill_words, render, variables
from omotenashi.care.triggers import REACH
from omotenashi.care.words import item_title, reason_words
from omotenashi.config.care import CareSection
from omotenashi.config.house import HouseFile
from omotenashi.store.care import CareItem
from omotenashi.store.care_actions import QUEUED, Action

MESSAGE, WEBHOOK, SLACK = "message", "webhook", "slack"


@dataclass(frozen=True)
class Draft:
    """The suggested message of an item, for a person to edit (or the engine to send)."""

    channel: str
    to: str | None
    message: Message
    purpose: str


class Outbox:
    """Builds a workspace's actions."""

    def __init__(self, house: HouseFile, base_url: str) -> None:
        assert house.care is not None
        self.house = house
        self.care: CareSection = house.care
        self.base_url = base_url.rstrip("/")

    def draft(self, item: CareItem, person: Facts, owner_name: str | None) -> Draft | None:
        """The playbook's message for this customer, filled in; None when the playbook suggests no message."""
        playbook = self.care.playbooks.get(item.playbook)
        if playbook is None or playbook.then.message is None:
            return None
        spec = playbook.then.message
        lang = person.language
        evidence = item.evidence
        details: dict[str, Any] = evidence["details"] if isinstance(evidence.get("details"), dict) else {}
        journey_id = evidence.get("journey") or ""
        journeys = self.house.journeys.journeys if self.house.journeys is not None else {}
        title = journeys[journey_id].title if journey_id in journeys else None
        values = variables(
            {
                "name": person.name,
                "first_name": person.first_name,
                "company": self.house.workspace.name,
                "owner_name": owner_name,
                "step": evidence.get("step") or details.get("step"),
                "next_step": evidence.get("next_step") or details.get("next_step"),
                "journey": (title.ja if lang == "ja" and title.ja else title.en) if title else journey_id,
                "topic": details.get("question") or details.get("topic"),
                "goodwill": goodwill_words(playbook.then.goodwill, self.care.goodwill.currency, lang),
            },
            lang,
        )
        message = render(self.care, spec.template, lang, person.tone, values)
        return Draft(spec.channel, person.email, message, playbook.then.purpose)

    def message(
        self, workspace_id: str, item: CareItem, draft: Draft, subject: str, body: str, by: str, now: int
    ) -> Action:
        """A message to the customer (edited or not), queued for its e-mail channel."""
        payload = {
            "to": draft.to,
            "subject": subject,
            "body": body,
            "language": draft.message.language,
            "tone": draft.message.tone,
            "purpose": draft.purpose,
            "automatic": by == "system",  # sent without a person: the e-mail says Auto-Submitted: auto-generated
        }
        return _action(workspace_id, item, MESSAGE, draft.channel, payload, by, now, proactive=True)

    def on_new_item(
        self, workspace_id: str, item: CareItem, person: Facts, now: int, owner_name: str | None = None
    ) -> list[Action]:
        """What a new (treated) item sends at once: the webhook, the team's note, an automatic message (signed by
        the item's owner; one with an empty place waits for a person instead)."""
        out: list[Action] = []
        if item.playbook == REACH:
            notify = self.care.reach_a_person.notify
            if notify is not None:
                out.append(_action(workspace_id, item, SLACK, notify, self._note(item), "system", now))
            return out
        playbook = self.care.playbooks.get(item.playbook)
        if playbook is None:
            return out
        then = playbook.then
        if then.webhook is not None:
            out.append(_action(workspace_id, item, WEBHOOK, then.webhook, self.item_payload(item), "system", now))
        if then.notify is not None:
            out.append(_action(workspace_id, item, SLACK, then.notify, self._note(item), "system", now))
        if then.message is not None and then.message.send == "auto":
            draft = self.draft(item, person, owner_name)
            if draft is not None and not draft.message.blanks:  # a message with a hole waits for a person
                m = draft.message
                out.append(self.message(workspace_id, item, draft, m.subject, m.body, "system", now))
        return out

    def held_back(self, item: CareItem, person: Facts, owner_name: str | None = None) -> tuple[str, ...]:
        """The empty variables that kept a new item's automatic message from going by itself (none: it went, or
        the playbook sends nothing by itself)."""
        playbook = self.care.playbooks.get(item.playbook)
        if item.playbook == REACH or playbook is None or playbook.then.message is None:
            return ()
        if playbook.then.message.send != "auto":
            return ()
        draft = self.draft(item, person, owner_name)
        return draft.message.blanks if draft is not None else ()

    def item_payload(self, item: CareItem) -> dict[str, Any]:
        """The item as the webhook sends it (no more of the customer than their id and the reason)."""
        return {
            "type": "care_item.created",
            "id": item.id,
            "customer_id": item.customer_id,
            "playbook": item.playbook,
            "title": item_title(self.house, item.playbook, "en"),
            "reason": reason_words(item, "en"),
            "priority": item.priority,
            "due_at": item.due_at,
            "created_at": item.created_at,
            "owner_id": item.owner_id,
            "team": item.team,
            "url": f"{self.base_url}/staff/care/{item.id}",
        }

    def _note(self, item: CareItem) -> dict[str, Any]:
        urgent = "URGENT: " if item.priority == 0 else ""
        title = item_title(self.house, item.playbook, "en")
        text = f"{urgent}{title}: {reason_words(item, 'en')} <{self.base_url}/staff/care/{item.id}|Open the care item>"
        return {"text": text}


def _action(
    workspace_id: str,
    item: CareItem,
    kind: str,
    channel: str,
    payload: dict[str, Any],
    by: str,
    now: int,
    *,
    proactive: bool = False,
) -> Action:
    return Action(
        workspace_id=workspace_id,
        id="ca_" + secrets.token_hex(10),
        item_id=item.id,
        customer_id=item.customer_id,
        kind=kind,
        channel=channel,
        proactive=1 if proactive else 0,
        status=QUEUED,
        payload=payload,
        attempts=0,
        next_at=now,
        last_error=None,
        created_at=now,
        created_by=by,
        sent_at=None,
    )
