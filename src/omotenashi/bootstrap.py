"""The composition root: settings, house files, engines, the writer and the services, built once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection

from omotenashi.anticipation.service import Anticipations
from omotenashi.care.service import Care, CareConsumer
from omotenashi.care.service import Workspace as CareWorkspace
from omotenashi.config.house import HouseFile, SqliteStore
from omotenashi.config.loader import LoadedHouse, load_house
from omotenashi.config.settings import Settings
from omotenashi.core.clock import Clock, to_epoch_ms, utc_now
from omotenashi.core.errors import ConfigError, ConfigProblem
from omotenashi.friction.service import Friction
from omotenashi.intake.service import Intake
from omotenashi.journeys.consumer import JourneysConsumer
from omotenashi.journeys.service import Journeys
from omotenashi.memory.consumer import MemoryConsumer
from omotenashi.memory.service import Memory
from omotenashi.pipeline.follower import Consumer, Follower
from omotenashi.privacy.service import Privacy
from omotenashi.staff.sessions import forget_old_sessions
from omotenashi.store import migrate, workspaces
from omotenashi.store.engine import Engines, open_engines, store_url
from omotenashi.store.writer import Periodic, Writer


@dataclass
class Runtime:
    """Everything a running omotenashi needs, wired together."""

    settings: Settings
    houses: dict[str, LoadedHouse]
    engines: Engines
    writer: Writer
    intake: Intake
    follower: Follower
    memory: Memory
    privacy: Privacy
    journeys: Journeys
    friction: Friction
    anticipation: Anticipations
    care: Care
    demo_write_key: str | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def house_files(self) -> dict[str, HouseFile]:
        return {wid: loaded.house for wid, loaded in self.houses.items()}

    def close(self) -> None:
        """Finish queued writes and release the store."""
        self.follower.stop()
        self.care.close()
        self.journeys.close()
        self.anticipation.close()
        self.writer.stop()
        self.engines.dispose()


def load_houses(paths: Sequence[Path], store_override: str | None = None) -> dict[str, LoadedHouse]:
    """Load every house file; they must describe different workspaces sharing one store."""
    houses: dict[str, LoadedHouse] = {}
    for path in paths:
        loaded = load_house(path)
        wid = loaded.house.workspace.id
        if wid in houses:
            raise ConfigError(
                [ConfigProblem(str(path), None, "workspace.id", f"workspace `{wid}` is described twice", None)]
            )
        houses[wid] = loaded
    urls = {resolve_store_url(h, store_override) for h in houses.values()}
    if len(urls) > 1:
        raise ConfigError(
            [ConfigProblem(str(paths[0]), None, "store", "the house files name different stores", "use one store")]
        )
    return houses


def resolve_store_url(loaded: LoadedHouse, override: str | None) -> str:
    """The store URL: the settings' override, else the house file's store."""
    return override or store_url(loaded.house.store, loaded.folder)


def open_store(houses: dict[str, LoadedHouse], settings: Settings) -> Engines:
    """Open the store, bring its schema up to date and make its workspaces match the house files."""
    first = next(iter(houses.values()))
    store = first.house.store
    synchronous = store.synchronous if isinstance(store, SqliteStore) else "full"
    engines = open_engines(resolve_store_url(first, settings.store_url), synchronous=synchronous)
    migrate.upgrade(engines.write)
    with engines.write.begin() as conn:
        for wid, loaded in houses.items():
            house = loaded.house
            workspaces.sync_workspace(
                conn,
                wid,
                house.workspace.name,
                {sid: (s.name, ",".join(s.purposes)) for sid, s in house.sources.items()},
            )
    return engines


def build(
    settings: Settings,
    house_paths: Sequence[Path] | None = None,
    *,
    clock: Clock = utc_now,
    start_writer: bool = True,
    follow: bool = True,
) -> Runtime:
    """Build the runtime for the given house files (default: the settings' house file)."""
    houses = load_houses(list(house_paths or [settings.house_file]), settings.store_url)
    engines = open_store(houses, settings)
    writer = Writer(
        engines,
        max_batch_rows=settings.writer.max_batch_rows,
        checkpoint_every_rows=settings.writer.checkpoint_every_rows,
    )

    def forget_ended_sessions(conn: Connection) -> None:
        forget_old_sessions(conn, now=to_epoch_ms(clock()))

    writer.add_periodic(Periodic("forget long-ended staff sessions", 3600, forget_ended_sessions))
    journeys = Journeys({wid: h.house for wid, h in houses.items()}, engines, writer, clock)
    if (refresh := journeys.periodic()) is not None:
        writer.add_periodic(refresh)
    friction = Friction({wid: h.house for wid, h in houses.items()}, engines, writer, clock)
    if (tick := friction.periodic()) is not None:
        writer.add_periodic(tick)
    if start_writer:
        writer.start()
    memory_consumers = _memory_consumers(houses, engines)
    base_url = settings.portal.base_url or f"http://{settings.server.host}:{settings.server.port}"
    care = Care(
        {wid: CareWorkspace(h.house, h.folder) for wid, h in houses.items()}, engines, writer, clock, base_url=base_url
    )
    if (looks := care.periodic()) is not None:
        writer.add_periodic(looks)
    follower = Follower(engines, writer, _consumers(houses, memory_consumers, clock, friction, care), clock=clock)
    intake = Intake({wid: h.house for wid, h in houses.items()}, engines, writer, clock, on_commit=follower.poke)

    def forget_old_ids(conn: Connection) -> None:
        intake.forget_old_ids(conn, to_epoch_ms(clock()))

    writer.add_periodic(Periodic("forget messageIds older than the dedupe window", 3600, forget_old_ids))
    house_files = {wid: h.house for wid, h in houses.items()}
    memory = Memory(house_files, memory_consumers, engines, writer, clock)
    privacy = Privacy(
        house_files, memory_consumers, engines, writer, follower, clock, {wid: h.folder for wid, h in houses.items()}
    )
    anticipation = Anticipations(house_files, engines, writer, follower, clock)
    if start_writer:
        # An erasure a stopped process left half-done is completed before anything else happens.
        privacy.resume_erasures()
    if start_writer and follow:
        follower.start()
    return Runtime(
        settings,
        houses,
        engines,
        writer,
        intake,
        follower,
        memory,
        privacy,
        journeys=journeys,
        friction=friction,
        anticipation=anticipation,
        care=care,
    )


def _memory_consumers(houses: dict[str, LoadedHouse], engines: Engines) -> dict[str, MemoryConsumer]:
    with engines.read.connect() as conn:
        return {wid: MemoryConsumer(h.house, workspaces.workspace_secret(conn, wid)) for wid, h in houses.items()}


def _consumers(
    houses: dict[str, LoadedHouse],
    memory: dict[str, MemoryConsumer],
    clock: Clock,
    friction: Friction,
    care: Care,
) -> dict[str, list[Consumer]]:
    """The log followers of each workspace, in the order they run: memory first, then journeys, friction, and care
    last (each reads what the ones before it derived: care turns the signals friction just found into items)."""
    detectors = friction.followers()
    playbooks: dict[str, CareConsumer] = care.followers()
    out: dict[str, list[Consumer]] = {}
    for wid, consumer in memory.items():
        chain: list[Consumer] = [consumer, JourneysConsumer(houses[wid].house, clock)]
        if wid in detectors:
            chain.append(detectors[wid])
            if wid in playbooks:
                chain.append(playbooks[wid])
        out[wid] = chain
    return out
