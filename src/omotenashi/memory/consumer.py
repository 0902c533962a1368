"""The memory follower: turns new events into identities, attributions, traits, preferences and search terms."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.ids import keyed_hash
from omotenashi.memory import preferences as prefs
from omotenashi.memory.graph import Graph
from omotenashi.store import customer_events, profiles
from omotenashi.store.cursors import EventRow

MAX_TRAITS = 100
STAFF_PURPOSES = frozenset({"service", "care"})
NAME_TRAITS = frozenset({"name", "first_name", "last_name", "firstName", "lastName", "username"})
MAX_VALUE_CHARS = 2_000
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def normalize(kind: str, value: str) -> str:
    """The form an identifier is matched in: e-mail addresses lower-cased, phone numbers as digits."""
    value = value.strip()
    if kind == "email" or "@" in value:
        return value.lower()
    if kind == "phone":
        digits = re.sub(r"[^\d+]", "", value)
        return digits
    return value


def _object(text: str) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return {}
    return value if isinstance(value, dict) else {}


class MemoryConsumer:
    """Applies events to the identity graph and the profiles, one batch per transaction."""

    name = "memory"

    def __init__(self, house: HouseFile, secret: bytes) -> None:
        self.house = house
        self.secret = secret
        self.identifiers = house.memory.identifiers
        self.hashed_traits = {s.trait for s in self.identifiers.values() if s.store_as == "keyed_hash"}

    def identifier_value(self, kind: str, raw: str) -> str:
        """How an identifier is stored: in clear, or as a keyed hash, as the house file says."""
        spec = self.identifiers.get(kind)
        value = normalize(kind, raw)
        if spec is not None and spec.store_as == "keyed_hash":
            return keyed_hash(self.secret, kind, value)
        return value

    def _identifiers_in(self, traits: dict[str, Any]) -> list[tuple[str, str]]:
        """The declared identifiers in a set of traits, in the form they are matched in."""
        found = []
        for kind, spec in self.identifiers.items():
            raw = traits.get(spec.trait)
            if isinstance(raw, str | int) and not isinstance(raw, bool) and str(raw).strip():
                found.append((kind, self.identifier_value(kind, str(raw))))
        return found

    def apply(self, conn: Connection, workspace_id: str, rows: Sequence[EventRow]) -> None:
        """Apply a batch of events in log order."""
        graph = Graph(conn, workspace_id)
        keys: set[tuple[str, str]] = set()
        parsed: dict[int, dict[str, Any]] = {}
        for e in rows:
            if e.user_id is not None:
                keys.add(("user_id", e.user_id))
            if e.anonymous_id is not None:
                keys.add(("anonymous_id", e.anonymous_id))
            if e.type == "identify" and e.traits:
                values = _object(e.traits)
                parsed[e.seq] = values
                for kind, raw in self._identifiers_in(values):
                    keys.add((kind, raw))
        graph.preload(keys)
        attributions: list[tuple[str, int, int]] = []
        stats: dict[str, list[int]] = {}
        traits: list[dict[str, Any]] = []
        stated: list[dict[str, Any]] = []
        terms: list[tuple[str, str]] = []
        for e in rows:
            base = self._base(graph, e)
            attributions.append((base, e.seq, e.ts))
            s = stats.setdefault(base, [0, e.ts, e.ts])
            s[0] += 1
            s[1] = min(s[1], e.ts)
            s[2] = max(s[2], e.ts)
            if e.seq in parsed:
                self._identify(graph, e, parsed[e.seq], base, traits, stated, terms)
        graph_new = list(graph.decisions.new_identities)
        graph.flush()
        customer_events.attribute(conn, workspace_id, attributions)
        customer_events.bump_stats(conn, workspace_id, {k: (v[0], v[1], v[2]) for k, v in stats.items()})
        profiles.add_traits(conn, workspace_id, traits)
        profiles.add_preferences(conn, workspace_id, stated)
        for ident in graph_new:
            spec = self.identifiers.get(ident.kind)
            if spec is None or spec.store_as == "clear":
                terms.append((ident.value.lower(), ident.customer_id))
        customer_events.add_search_terms(conn, workspace_id, terms)

    def _base(self, graph: Graph, e: EventRow) -> str:
        evidence = {"seq": e.seq, "messageId": e.message_id, "source": e.source_id}
        at = e.ts
        if e.user_id is not None:
            base = graph.base("user_id", e.user_id)
            if base is None:
                anon_base = graph.base("anonymous_id", e.anonymous_id) if e.anonymous_id is not None else None
                if anon_base is not None and not graph.user_ids(graph.root(anon_base)):
                    # The anonymous visitor signed in: their history is this user's from now on.
                    graph.attach("user_id", e.user_id, anon_base, at, e.seq, e.source_id)
                    base = anon_base
                else:
                    base = graph.create("user_id", e.user_id, at, e.seq, e.source_id)
            if e.anonymous_id is not None:
                graph.link(
                    "anonymous_id",
                    e.anonymous_id,
                    base,
                    rule="anonymous_id_with_user_id",
                    evidence={**evidence, "userId": e.user_id, "anonymousId": e.anonymous_id},
                    at=at,
                    seq=e.seq,
                    source_id=e.source_id,
                )
        else:
            assert e.anonymous_id is not None
            base = graph.base("anonymous_id", e.anonymous_id) or graph.create(
                "anonymous_id", e.anonymous_id, at, e.seq, e.source_id
            )
        if e.type == "alias" and e.previous_id is not None:
            kind = "user_id" if graph.base("user_id", e.previous_id) is not None else "anonymous_id"
            graph.link(
                kind,
                e.previous_id,
                base,
                rule="alias",
                evidence={**evidence, "previousId": e.previous_id, "userId": e.user_id},
                at=at,
                seq=e.seq,
                source_id=e.source_id,
            )
        return base

    def _identify(
        self,
        graph: Graph,
        e: EventRow,
        values: dict[str, Any],
        base: str,
        traits: list[dict[str, Any]],
        stated: list[dict[str, Any]],
        terms: list[tuple[str, str]],
    ) -> None:
        for kind, value in self._identifiers_in(values):
            spec = self.identifiers[kind]
            graph.link(
                kind,
                value,
                base,
                rule=f"same_{kind}",
                evidence={"seq": e.seq, "messageId": e.message_id, "source": e.source_id, "trait": spec.trait},
                at=e.ts,
                seq=e.seq,
                source_id=e.source_id,
                may_merge=spec.match,
            )
        serves_staff = bool(STAFF_PURPOSES.intersection(e.purposes.split(",")))
        for name, value in list(values.items())[:MAX_TRAITS]:
            if name in self.hashed_traits or not isinstance(name, str):
                continue
            encoded = msgspec.json.encode(value)
            if len(encoded) > MAX_VALUE_CHARS:
                continue
            traits.append(
                {
                    "customer_id": base,
                    "name": name[:128],
                    "value": value,
                    "origin": "event",
                    "source_id": e.source_id,
                    "seq": e.seq,
                    "purposes": e.purposes,
                    "at": e.ts,
                }
            )
            if name in {"name", "first_name", "last_name", "firstName", "lastName", "username"} and isinstance(
                value, str
            ):
                terms.extend((w.lower(), base) for w in _WORD.findall(value)[:6])
                terms.append((value.lower()[:200], base))
        if not serves_staff:
            # Preferences steer how staff contact the customer: only sources kept for service or care set them.
            return
        for name, value in prefs.from_traits(values, self.house.memory.preference_traits).items():
            stated.append(
                {
                    "customer_id": base,
                    "name": name,
                    "value": value,
                    "origin": "customer",
                    "source_id": e.source_id,
                    "seq": e.seq,
                    "at": e.ts,
                }
            )
        self._inferred(e, base, stated, values)

    def _inferred(self, e: EventRow, base: str, stated: list[dict[str, Any]], values: dict[str, Any]) -> None:
        if not e.context or b'"locale"' not in e.context.encode():
            return
        try:
            ctx = msgspec.json.decode(e.context)
        except msgspec.DecodeError:
            return
        lang = prefs.language(ctx.get("locale")) if isinstance(ctx, dict) else None
        if lang is not None:
            stated.append(
                {
                    "customer_id": base,
                    "name": "language",
                    "value": lang,
                    "origin": "inferred",
                    "source_id": e.source_id,
                    "seq": e.seq,
                    "at": e.ts,
                }
            )
