"""The intake service: authenticate a write key, judge every message, and hand the valid ones to the writer."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection

from omotenashi.config.house import HouseFile
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.errors import NotFound, PayloadTooLarge, Rejection, Unauthorized
from omotenashi.core.ids import hash_write_key
from omotenashi.core.purposes import ConsentMethod, ConsentStatus
from omotenashi.intake.body import Envelope, inflate, read_batch, read_single
from omotenashi.intake.commit import Outcome, WorkspaceRules, commit
from omotenashi.intake.gate import PurposeRule
from omotenashi.intake.undeclared import Filter
from omotenashi.intake.validate import Prepared, Rules, prepare
from omotenashi.store import events, workspaces
from omotenashi.store.engine import Engines
from omotenashi.store.recent_ids import RecentIds
from omotenashi.store.writer import Writer

GPC_PURPOSES = ("marketing",)
IMPORT_CHUNK = 10_000
MAX_REPORTED_REJECTIONS = 1_000
MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class SourceContext:
    """An authenticated source: where its events go and which purposes they serve."""

    workspace_id: str
    source_id: str
    purposes: tuple[str, ...]


@dataclass
class IntakeReport:
    """What became of every message of a request or an imported file."""

    accepted: int = 0
    duplicates: int = 0
    consent_changes: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    rejected: list[Rejection] = field(default_factory=list)
    rejected_by_reason: Counter[str] = field(default_factory=Counter)
    suppressed: int = 0

    def add(self, outcome: Outcome) -> None:
        self.accepted += outcome.accepted
        self.duplicates += outcome.duplicates
        self.consent_changes += outcome.consent_changes
        self.suppressed += outcome.suppressed
        self.refused.update(outcome.refused)

    def add_report(self, other: IntakeReport) -> None:
        """Fold another report into this one."""
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.consent_changes += other.consent_changes
        self.suppressed += other.suppressed
        self.refused.update(other.refused)
        self.rejected_by_reason.update(other.rejected_by_reason)
        self.rejected.extend(other.rejected[: max(0, MAX_REPORTED_REJECTIONS - len(self.rejected))])

    def reject(self, items: Iterable[Rejection]) -> None:
        for item in items:
            self.rejected_by_reason[item.reason] += 1
            if len(self.rejected) < MAX_REPORTED_REJECTIONS:
                self.rejected.append(item)

    @property
    def nothing_valid(self) -> bool:
        """True when the request held messages and every one was rejected as invalid."""
        return bool(self.rejected_by_reason) and not (self.accepted or self.duplicates or sum(self.refused.values()))


class Intake:
    """Accepts Segment-spec messages from HTTP requests and from files."""

    def __init__(
        self,
        houses: dict[str, HouseFile],
        engines: Engines,
        writer: Writer,
        clock: Clock = utc_now,
        on_commit: Callable[[], None] | None = None,
    ):
        self._houses = houses
        self._on_commit = on_commit or (lambda: None)
        self._engines = engines
        self._writer = writer
        self._clock = clock
        self._rules: dict[str, Rules] = {}
        self._workspace: dict[str, WorkspaceRules] = {}
        self._windows = {wid: h.intake.dedupe_window_days * 86_400_000 for wid, h in houses.items()}
        # A single-writer store keeps the dedupe window in memory over an append-only log (store/recent_ids.py).
        self._recent = None if engines.capabilities.concurrent_writers else RecentIds(self._windows)
        with engines.read.connect() as conn:
            for wid, house in houses.items():
                self._rules[wid] = _rules_of(house)
                self._workspace[wid] = WorkspaceRules(
                    workspace_id=wid,
                    secret=workspaces.workspace_secret(conn, wid),
                    purposes={pid: PurposeRule(p.mechanism, p.notice_version) for pid, p in house.purposes.items()},
                    recent=self._recent,
                )
        self.largest_batch = max(h.intake.max_batch_bytes for h in houses.values())
        self.largest_message = max(h.intake.max_message_bytes for h in houses.values())
        self._keys: dict[str, SourceContext] = {}  # hash of a write key → its source, as last looked up

    def forget_old_ids(self, conn: Connection, now_ms: int) -> None:
        """Forget messageIds older than each workspace's dedupe window (a retry after that is stored again)."""
        for wid, window in self._windows.items():
            if self._recent is not None:
                self._recent.forget_before(conn, wid, now_ms - window)
            else:
                events.forget_fingerprints_before(conn, wid, now_ms - window)

    def authenticate(self, write_key: str | None) -> SourceContext:
        """The source a write key belongs to; Unauthorized when missing, unknown or revoked."""
        if not write_key:
            raise Unauthorized(
                "no write key was sent",
                hint="send the source's write key as the HTTP Basic username (or `writeKey` in the body)",
            )
        with self._engines.read.connect() as conn:
            owner = workspaces.key_owner(conn, hash_write_key(write_key))
        if owner is None or owner.workspace_id not in self._houses:
            raise Unauthorized(
                "the write key is unknown or revoked",
                hint="create one with `omotenashi keys create --source SOURCE`",
            )
        return self.source(owner.workspace_id, owner.source_id)

    def _cached_source(self, write_key: str | None, key_hash: str) -> SourceContext:
        """The key's source as last looked up: the tracking API's hot path. The commit checks again, inside the
        writer's transaction, that the key is still live (see `_work`), so a revoked key stores nothing."""
        cached = self._keys.get(key_hash) if write_key else None
        if cached is not None:
            return cached
        source = self.authenticate(write_key)
        if len(self._keys) >= MAX_CACHED_KEYS:
            self._keys.clear()
        self._keys[key_hash] = source
        return source

    def source(self, workspace_id: str, source_id: str) -> SourceContext:
        """A source of a workspace by id, as the house file declares it."""
        house = self._houses.get(workspace_id)
        if house is None or source_id not in house.sources:
            raise NotFound(
                f"no source `{source_id}` in workspace `{workspace_id}`",
                hint="sources are declared under `sources:` in omotenashi.yaml",
            )
        return SourceContext(workspace_id, source_id, tuple(house.sources[source_id].purposes))

    async def accept(
        self,
        body: bytes,
        *,
        content_encoding: str | None,
        write_key: str | None,
        message_type: str | None,
        gpc: bool = False,
    ) -> IntakeReport:
        """Take one HTTP request of the tracking API: `message_type` None means `/v1/batch`."""
        data = inflate(body, content_encoding, self.largest_batch if message_type is None else self.largest_message)
        envelope = read_batch(data) if message_type is None else read_single(data)
        key = write_key or envelope.write_key
        key_hash = hash_write_key(key or "")
        source = self._cached_source(key, key_hash)
        house = self._houses[source.workspace_id]
        limit = house.intake.max_batch_bytes if message_type is None else house.intake.max_message_bytes
        if len(data) > limit:
            raise PayloadTooLarge(f"the request is over the limit of {limit // 1024} KB", limit_bytes=limit)
        now = to_epoch_ms(self._clock())
        items, rejected = self._prepare_all(source, envelope, now, message_type, gpc)
        report = IntakeReport()
        report.reject(rejected)
        outcome = await self._writer.run(
            _work(self._workspace[source.workspace_id], source, items, rejected, now, key_hash=key_hash),
            rows=len(items) or 1,
        )
        if outcome is None:  # revoked since it was last looked up: nothing was stored
            self._keys.pop(key_hash, None)
            raise Unauthorized(
                "the write key is unknown or revoked",
                hint="create one with `omotenashi keys create --source SOURCE`",
            )
        report.add(outcome)
        if outcome.stored_positions:
            self._on_commit()
        return report

    def _prepare_all(
        self, source: SourceContext, envelope: Envelope, now: int, message_type: str | None, gpc: bool
    ) -> tuple[list[Prepared], list[Rejection]]:
        rules = self._rules[source.workspace_id]
        items: list[Prepared] = []
        rejected: list[Rejection] = []
        for index, raw in enumerate(envelope.messages):
            result = prepare(raw, index, rules, now, forced_type=message_type, batch_sent_at=envelope.sent_at)
            if isinstance(result, Rejection):
                rejected.append(result)
                continue
            if gpc:
                result.consent.extend(
                    (p, ConsentStatus.WITHDRAWN, ConsentMethod.GPC.value)
                    for p in GPC_PURPOSES
                    if p in self._workspace[source.workspace_id].purposes
                )
            items.append(result)
        return items, rejected

    def import_lines(
        self,
        lines: Iterable[bytes],
        source: SourceContext,
        *,
        on_progress: Callable[[int], None] | None = None,
    ) -> IntakeReport:
        """Bulk-load messages, one JSON object a line, through the same validation as HTTP."""
        rules = self._rules[source.workspace_id]
        ws = self._workspace[source.workspace_id]
        report = IntakeReport()
        pending = None
        for chunk, consumed in _chunks(lines):
            now = to_epoch_ms(self._clock())
            items: list[Prepared] = []
            rejected: list[Rejection] = []
            for line_no, raw in chunk:
                result = prepare(raw, line_no, rules, now, trust_received_at=True, line=line_no)
                (rejected if isinstance(result, Rejection) else items).append(result)  # type: ignore[arg-type]
            if pending is not None:
                report.add(pending.result())
            report.reject(rejected)
            pending = self._writer.submit(
                _work(ws, source, items, rejected, now, ConsentMethod.IMPORT.value), rows=len(items) or 1
            )
            if on_progress is not None:
                on_progress(consumed)
        if pending is not None:
            report.add(pending.result())
        self._on_commit()
        return report


def _work(
    ws: WorkspaceRules,
    source: SourceContext,
    items: list[Prepared],
    rejected: list[Rejection],
    now: int,
    method: str = ConsentMethod.TRACKER.value,
    key_hash: str | None = None,
) -> Callable[[Connection], Outcome | None]:
    def run(conn: Connection) -> Outcome | None:
        if key_hash is not None and not workspaces.key_is_live(conn, key_hash, ws.workspace_id, source.source_id):
            return None
        return commit(conn, ws, source.source_id, source.purposes, items, rejected, now, method)

    return run


def _chunks(lines: Iterable[bytes]) -> Iterator[tuple[list[tuple[int, bytes]], int]]:
    chunk: list[tuple[int, bytes]] = []
    consumed = 0
    for number, line in enumerate(lines, start=1):
        consumed += len(line)
        stripped = line.strip()
        if not stripped:
            continue
        chunk.append((number, stripped))
        if len(chunk) >= IMPORT_CHUNK:
            yield chunk, consumed
            chunk, consumed = [], 0
    if chunk or consumed:
        yield chunk, consumed


def _rules_of(house: HouseFile) -> Rules:
    names: dict[str, str] = {}
    for pid, purpose in house.purposes.items():
        names[pid.lower()] = pid
        for alias in purpose.aliases:
            names[alias.lower()] = pid
    return Rules(
        max_message_bytes=house.intake.max_message_bytes,
        future_tolerance_ms=house.intake.future_tolerance_hours * 3_600_000,
        purpose_names=names,
        data_map=Filter.of(house),
    )
