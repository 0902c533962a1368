"""Behaviour anticipation from a workspace's store: read what the models may read, build the log, score each kind
the house file turns on (`behaviour_scoring.py`). Called by `Anticipations.score` and `omotenashi evaluate`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from omotenashi.anticipation.activity_store import StoredBehaviour, read_behaviour
from omotenashi.anticipation.behaviour_log import BehaviourLog, BehaviourSpec
from omotenashi.anticipation.behaviour_scoring import Outcome, enabled, score_behaviour
from omotenashi.config.anticipation import AnticipationSection
from omotenashi.config.house import HouseFile
from omotenashi.journeys.mapping import JourneyMapping
from omotenashi.store.engine import Engines


@dataclass(frozen=True)
class WorkspaceBehaviour:
    """What was read of a workspace, as the models read it."""

    stored: StoredBehaviour
    log: BehaviourLog


def read_workspace(
    engines: Engines, house: HouseFile, workspace_id: str, section: AnticipationSection | None = None
) -> WorkspaceBehaviour:
    """The workspace's activities and signals (as its anticipation section allows) and the log built from them."""
    section = section or house.anticipation or AnticipationSection()
    mapping = JourneyMapping(house.journeys)
    with engines.read.connect() as conn:
        stored = read_behaviour(conn, workspace_id, section, mapping)
    log = BehaviourLog.build(
        stored.activities,
        BehaviourSpec.of(section),
        signals=stored.signals,
        mapping=mapping,
        identified=stored.identified,
    )
    return WorkspaceBehaviour(stored, log)


def score_workspace_behaviour(
    engines: Engines, house: HouseFile, workspace_id: str, now_ms: int, sensitive: Sequence[str] = ()
) -> list[Outcome]:
    """Every behaviour kind the workspace's house file turns on, scored from its store (nothing when none is)."""
    section = house.anticipation
    if section is None or not enabled(section):
        return []
    read = read_workspace(engines, house, workspace_id, section)
    stored = read.stored
    return score_behaviour(
        stored.activities,
        read.log,
        section,
        now_ms,
        sensitive=sensitive,
        synthetic=stored.synthetic,
        synthetic_customers=stored.synthetic_customers,
    )
