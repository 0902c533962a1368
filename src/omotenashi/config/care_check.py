"""Checks of the house file's `care:` section that its models alone cannot make, each with file:line and a fix.

A playbook names a signal that exists and runs, an anticipation or a journey step that exists, templates whose
variables exist and which speak every language of the workspace, channels of the right type, a team, and never a
sensitive attribute.
"""

from __future__ import annotations

import difflib
from typing import Any

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment

from omotenashi.config.care import ANTICIPATION_KINDS, EMAIL_TYPES, TEMPLATE_VARIABLES, CareSection
from omotenashi.config.friction import FrictionDetectors
from omotenashi.config.house import HouseFile
from omotenashi.config.journeys import STAGES
from omotenashi.core.errors import ConfigProblem

Loc = list[str | int]


def _line(data: Any, loc: Loc) -> int | None:
    from omotenashi.config.loader import line_of

    return line_of(data, loc)


def _guess(value: str, known: list[str], fallback: str) -> str:
    guess = difflib.get_close_matches(value, known, n=1)
    return f"did you mean `{guess[0]}`?" if guess else fallback


class _Problems:
    def __init__(self, name: str, data: Any) -> None:
        self.name, self.data = name, data
        self.found: list[ConfigProblem] = []

    def add(self, loc: Loc, message: str, hint: str) -> None:
        where = ".".join(str(p) for p in loc)
        self.found.append(ConfigProblem(self.name, _line(self.data, loc), where, message, hint))

    def languages(self, loc: Loc, texts: dict[str, str], languages: list[str], what: str) -> None:
        for lang in languages:
            if not texts.get(lang, "").strip():
                self.add(
                    loc,
                    f"{what} has no `{lang}` text, but `{lang}` is one of the workspace's languages",
                    f"add `{lang}:` with the text in that language",
                )
        for lang in texts:
            if lang not in languages:
                self.add(
                    [*loc, lang],
                    f"`{lang}` is not one of the workspace's languages ({', '.join(languages)})",
                    "add it to `languages:` or remove this text",
                )


def care_problems(name: str, data: Any, house: HouseFile) -> list[ConfigProblem]:
    """Every problem of the care section (empty when it is fine or absent)."""
    care = house.care
    if care is None:
        return []
    p = _Problems(name, data)
    _teams(p, care)
    _templates(p, care, house.languages)
    for pid, playbook in care.playbooks.items():
        _playbook(p, house, care, pid, playbook)
    team = care.reach_a_person.team
    if team is not None and team not in care.teams:
        p.add(["care", "reach_a_person", "team"], f"unknown team `{team}`", _guess(team, list(care.teams), _TEAM_HINT))
    notify = care.reach_a_person.notify
    if notify is not None and getattr(care.channels.get(notify), "type", None) != "slack":
        p.add(
            ["care", "reach_a_person", "notify"],
            f"`{notify}` is not a slack channel",
            f"declare `{notify}: {{type: slack, …}}` under `care.channels:`",
        )
    for code, labels in care.goodwill.reason_codes.items():
        p.languages(["care", "goodwill", "reason_codes", code], labels, house.languages, f"reason code `{code}`")
    return p.found


_TEAM_HINT = "declare it under `care.teams:` with its members' e-mail addresses"


def _teams(p: _Problems, care: CareSection) -> None:
    for tid, team in care.teams.items():
        for i, member in enumerate(team.members):
            if "@" not in member:
                p.add(
                    ["care", "teams", tid, "members", i],
                    f"`{member}` is not an e-mail address",
                    "list staff members by the e-mail they sign in with",
                )
    for cid, channel in care.channels.items():
        url = getattr(channel, "url", None)
        if url is not None and not url.startswith(("http://", "https://")):
            p.add(["care", "channels", cid, "url"], f"`{url}` is not an http(s) URL", "write the full URL")
        if channel.type == "smtp" and channel.password_env and not channel.username:
            p.add(
                ["care", "channels", cid, "password_env"],
                "a password without a `username`",
                "add `username:` for the SMTP account",
            )


_ENV = SandboxedEnvironment()


def _templates(p: _Problems, care: CareSection, languages: list[str]) -> None:
    known = sorted(TEMPLATE_VARIABLES)
    for tid, template in care.templates.items():
        parts: list[tuple[Loc, dict[str, str], bool]] = [
            (["care", "templates", tid, "subject"], template.subject, True),
            (["care", "templates", tid, "body"], template.body, True),
        ]
        for tone, variant in template.tones.items():
            parts.append((["care", "templates", tid, "tones", tone, "subject"], variant.subject, False))
            parts.append((["care", "templates", tid, "tones", tone, "body"], variant.body, False))
        for loc, texts, complete in parts:
            if complete:
                p.languages(loc, texts, languages, f"template `{tid}`'s {loc[-1]}")
            for lang, text in texts.items():
                try:
                    names = meta.find_undeclared_variables(_ENV.parse(text))
                except TemplateSyntaxError as exc:
                    p.add([*loc, lang], f"not a valid template: {exc.message}", "write variables as `{{ first_name }}`")
                    continue
                for unknown in sorted(names - TEMPLATE_VARIABLES.keys()):
                    p.add(
                        [*loc, lang],
                        f"template variable `{unknown}` does not exist",
                        _guess(unknown, known, f"known variables: {', '.join(known)}"),
                    )


def _playbook(p: _Problems, house: HouseFile, care: CareSection, pid: str, playbook: Any) -> None:
    here: Loc = ["care", "playbooks", pid]
    p.languages([*here, "title"], playbook.title, house.languages, f"playbook `{pid}`'s title")
    _when(p, house, here, playbook)
    _who(p, house, here, playbook)
    _then(p, house, care, here, playbook.then)
    if not care.teams:
        p.add(["care"], "playbooks need a team to own their items", _TEAM_HINT)
    if playbook.outcome.recovered_when == "signal_resolved" and playbook.when.signal is None:
        p.add(
            [*here, "outcome", "recovered_when"],
            "`signal_resolved` needs a playbook started by a signal",
            "use `event` or `no_event` with an event name",
        )


def _then(p: _Problems, house: HouseFile, care: CareSection, here: Loc, then: Any) -> None:
    if then.purpose not in house.purposes:
        p.add(
            [*here, "then", "purpose"],
            f"unknown purpose `{then.purpose}`",
            _guess(then.purpose, list(house.purposes), "name a purpose declared under `purposes:`"),
        )
    if then.message is not None:
        m = then.message
        if m.template not in care.templates:
            p.add(
                [*here, "then", "message", "template"],
                f"unknown template `{m.template}`",
                _guess(m.template, list(care.templates), "declare it under `care.templates:`"),
            )
        channel = care.channels.get(m.channel)
        if channel is None:
            p.add(
                [*here, "then", "message", "channel"],
                f"unknown channel `{m.channel}`",
                _guess(m.channel, list(care.channels), "declare an e-mail channel under `care.channels:`"),
            )
        elif channel.type not in EMAIL_TYPES:
            p.add(
                [*here, "then", "message", "channel"],
                f"`{m.channel}` is a {channel.type} channel, not e-mail",
                "messages to customers go through a channel of type smtp or folder",
            )
    for key, types in (("webhook", ("webhook",)), ("notify", ("slack",))):
        named = getattr(then, key)
        if named is None:
            continue
        channel = care.channels.get(named)
        if channel is None or channel.type not in types:
            p.add(
                [*here, "then", key],
                f"`{named}` is not a {types[0]} channel",
                f"declare `{named}: {{type: {types[0]}, …}}` under `care.channels:`",
            )
    if then.goodwill is not None:
        g = then.goodwill
        if g.kind not in care.goodwill.kinds:
            p.add(
                [*here, "then", "goodwill", "kind"],
                f"`{g.kind}` is not among `care.goodwill.kinds`",
                "add it there or suggest another gesture",
            )
        if g.reason not in care.goodwill.reason_codes:
            p.add(
                [*here, "then", "goodwill", "reason"],
                f"unknown reason code `{g.reason}`",
                _guess(g.reason, list(care.goodwill.reason_codes), "declare it under `care.goodwill.reason_codes`"),
            )
    if then.fix:
        p.languages([*here, "then", "fix"], then.fix, house.languages, f"playbook `{here[-1]}`'s fix")
    team = then.owner.team
    if team is not None and team not in care.teams:
        p.add([*here, "then", "owner", "team"], f"unknown team `{team}`", _guess(team, list(care.teams), _TEAM_HINT))


def _when(p: _Problems, house: HouseFile, here: Loc, playbook: Any) -> None:
    when = playbook.when
    if when.signal is not None:
        kinds = list(FrictionDetectors.model_fields)
        if when.signal not in kinds:
            p.add(
                [*here, "when", "signal"],
                f"unknown signal `{when.signal}`",
                _guess(when.signal, kinds, f"signals: {', '.join(kinds)}"),
            )
        elif not house.friction.enabled or not getattr(house.friction.detectors, when.signal).enabled:
            p.add(
                [*here, "when", "signal"],
                f"the `{when.signal}` detector is off, so this playbook never starts",
                f"turn it on under `friction.detectors.{when.signal}` or disable the playbook",
            )
    if when.anticipation is not None:
        if when.anticipation not in ANTICIPATION_KINDS:
            p.add(
                [*here, "when", "anticipation"],
                f"unknown anticipation `{when.anticipation}`",
                _guess(when.anticipation, list(ANTICIPATION_KINDS), f"kinds: {', '.join(ANTICIPATION_KINDS)}"),
            )
        elif house.anticipation is None:
            p.add(
                [*here, "when", "anticipation"],
                "the house file has no `anticipation:` section, so nothing is scored",
                "add one (docs/anticipation.md)",
            )
    if when.deadline is not None:
        d = when.deadline
        journeys = house.journeys.journeys if house.journeys is not None else {}
        if d.journey not in journeys:
            p.add(
                [*here, "when", "deadline", "journey"],
                f"unknown journey `{d.journey}`",
                _guess(d.journey, list(journeys), "declare it under `journeys.journeys:`"),
            )
        elif d.step not in journeys[d.journey].steps[1:]:
            steps = journeys[d.journey].steps
            p.add(
                [*here, "when", "deadline", "step"],
                f"`{d.step}` is not a later step of `{d.journey}`",
                _guess(d.step, steps[1:], f"its steps after the first: {', '.join(steps[1:])}"),
            )


def _who(p: _Problems, house: HouseFile, here: Loc, playbook: Any) -> None:
    who = playbook.who
    for i, stage in enumerate(who.stages):
        if stage not in STAGES:
            p.add([*here, "who", "stages", i], f"unknown stage `{stage}`", f"stages: {', '.join(STAGES)}")
    for i, lang in enumerate(who.languages):
        if lang not in house.languages:
            p.add(
                [*here, "who", "languages", i],
                f"`{lang}` is not one of the workspace's languages",
                "add it to `languages:`",
            )
    if who.traits:
        from omotenashi.anticipation.sensitive import sensitive_features
        from omotenashi.privacy.datamap import DataMap

        special = DataMap(house.data_map).special_names() if house.data_map is not None else set()
        for trait, attribute in sensitive_features(list(who.traits), special):
            p.add(
                [*here, "who", "traits", trait],
                f"`{trait}` is a sensitive attribute by the data map ({attribute}): care never chooses by it",
                "remove this condition; choose by stage, plan, language or preferences instead",
            )
