"""Help and search loops: circling around the help centre without getting anywhere.

Two loops are seen. Repeated views: `min_views` help-article views within `view_window_minutes`, at least one article
read again (someone learning the product reads several different articles once each: not a loop). Going back and
forth between a page and an article is this loop too, and is said so. Searches without a click: `min_searches`
searches in a row within `search_window_minutes`, no result opened between them (resolved when one is opened). A
single view, a search whose result is clicked, or one search left alone are not loops; robots are never read.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from omotenashi.config.friction import FrictionEventNames, HelpLoopSettings
from omotenashi.friction.base import HOUR, MINUTE, Finding, Record, Triggers, WindowDetector, globs, matches
from omotenashi.friction.events import Event

VIEW, SEARCH, CLICKED, PAGE = "v", "s", "k", "p"
TEXT_LIMIT = 200


class HelpLoop(WindowDetector):
    name: ClassVar[str] = "help_loop"
    retention_ms: ClassVar[int] = 24 * HOUR  # app views may arrive hours late

    def __init__(self, settings: HelpLoopSettings, names: FrictionEventNames) -> None:
        super().__init__(settings, names)
        self.s = settings
        self.paths = globs(settings.help_paths)
        # A page can be an article only if its raw properties hold the article property or a help path's start.
        # (Or an escaped slash, which hides a path's start.)
        hints = [f'"{settings.article_property}"', *(_literal_start(p) for p in settings.help_paths), "\\/"]
        self.hints = re.compile("|".join(re.escape(h) for h in hints))
        self.view_ms = settings.view_window_minutes * MINUTE
        self.search_ms = settings.search_window_minutes * MINUTE
        self.triggers = Triggers(tracks=frozenset({names.help_article, names.help_searched}), pages=True)

    def _article(self, e: Event) -> str | None:
        if e.type == "track":
            if e.name == self.names.help_article:
                return e.text(self.s.article_property, TEXT_LIMIT) or e.text("title", TEXT_LIMIT) or "?"
            return None
        raw = e.raw_props
        if e.type != "page" or not raw or self.hints.search(raw) is None:
            return None
        article = e.text(self.s.article_property, TEXT_LIMIT)
        if article:
            return article
        path = e.text("path", TEXT_LIMIT)
        return path if matches(self.paths, path) else None

    def wants(self, e: Event) -> bool:
        if e.type == "track":
            return e.name in self.triggers.tracks
        return e.type == "page" and self._article(e) is not None

    def record(self, e: Event) -> Record | None:
        device = e.device or ""
        article = self._article(e)
        if article is not None:
            return [e.seq, e.ts, VIEW, device, article, e.text("title", TEXT_LIMIT) or ""]
        if e.type == "track" and e.name == self.names.help_searched:
            results = e.number("results")
            return [e.seq, e.ts, SEARCH, device, None if results is None else int(results), e.text("query", 200)]
        if e.type == "track" and e.name == self.names.search_result_clicked:
            return [e.seq, e.ts, CLICKED, device]
        if e.type == "page" and e.device is not None:
            return [e.seq, e.ts, PAGE, device, e.text("path", TEXT_LIMIT) or e.name]
        return None

    def retention_of(self, record: Record) -> int:
        return HOUR if record[2] == PAGE else self.retention_ms

    def evaluate(self, records: list[Record], now: int) -> list[Finding]:
        return self._view_loops(records) + self._search_loops(records)

    def _view_loops(self, records: list[Record]) -> list[Finding]:
        views = [r for r in records if r[2] == VIEW]
        out = []
        i = 0
        while i < len(views):
            seen_at = None
            articles: set[str] = set()
            j = i
            while j < len(views) and views[j][1] - views[i][1] <= self.view_ms:
                articles.add(views[j][4])
                if j - i + 1 >= self.s.min_views and len(articles) < j - i + 1:
                    seen_at = views[j][1]
                    break
                j += 1
            if seen_at is None:
                i += 1
                continue
            end = j
            while end + 1 < len(views) and views[end + 1][1] - views[end][1] <= self.view_ms:
                end += 1
            out.append(self._view_finding(records, views[i : end + 1], seen_at))
            i = end + 1
        return out

    def _view_finding(self, records: list[Record], loop: list[Record], seen_at: int) -> Finding:
        counts: dict[str, int] = {}
        titles: dict[str, str] = {}
        for r in loop:
            counts[r[4]] = counts.get(r[4], 0) + 1
            titles.setdefault(r[4], r[5])
        top = max(counts, key=lambda a: counts[a])
        between = _pages_between(records, loop)
        details: dict[str, Any] = {
            "views": len(loop),
            "articles": len(counts),
            "article": top,
            "title": titles[top],
            "minutes": round((loop[-1][1] - loop[0][1]) / MINUTE, 1),
            "variant": "repeated_views",
        }
        if between is not None:
            details |= {"variant": "back_and_forth", "page": between}
        return Finding(
            key=str(loop[0][0]),
            severity=3 if len(loop) >= 5 else 2,
            started=loop[0][1],
            first_seen=seen_at,
            last_seen=loop[-1][1],
            evidence=tuple(r[0] for r in loop),
            details=details,
        )

    def _search_loops(self, records: list[Record]) -> list[Finding]:
        out = []
        run: list[Record] = []
        for r in records:
            if r[2] == CLICKED:
                if len(run) >= self.s.min_searches and r[1] - run[-1][1] <= self.search_ms:
                    out.append(self._search_finding(run, r))
                run = []
            elif r[2] == SEARCH:
                if run and r[1] - run[-1][1] > self.search_ms:
                    if len(run) >= self.s.min_searches:
                        out.append(self._search_finding(run, None))
                    run = []
                run.append(r)
        if len(run) >= self.s.min_searches:
            out.append(self._search_finding(run, None))
        return [f for f in out if f is not None]

    def _search_finding(self, run: list[Record], clicked: Record | None) -> Finding | None:
        n = self.s.min_searches
        if run[n - 1][1] - run[0][1] > self.search_ms:
            return None
        empty = sum(1 for r in run if r[4] == 0)
        return Finding(
            key=str(run[0][0]),
            severity=2,
            started=run[0][1],
            first_seen=run[n - 1][1],
            last_seen=clicked[1] if clicked else run[-1][1],
            evidence=tuple(r[0] for r in run) + ((clicked[0],) if clicked else ()),
            details={
                "searches": len(run),
                "without_results": empty,
                "query": run[-1][5] or "",
                "minutes": round((run[-1][1] - run[0][1]) / MINUTE, 1),
                "variant": "search_without_click",
            },
            resolved_at=clicked[1] if clicked else None,
        )


def _pages_between(records: list[Record], loop: list[Record]) -> str | None:
    """The one page the customer went back to between every two views of the loop, if there is one."""
    seqs = {r[0] for r in loop}
    inside = [r for r in records if loop[0][1] <= r[1] <= loop[-1][1]]
    pages: set[str] = set()
    gaps = 0
    current: list[str] = []
    for r in inside:
        if r[0] in seqs:
            if current:
                pages.update(current)
                gaps += 1
            current = []
        elif r[2] == PAGE:
            current.append(r[4])
    if gaps >= len(loop) - 1 and len(pages) == 1:
        return next(iter(pages))
    return None


def _literal_start(pattern: str) -> str:
    """The part of a glob before its first wildcard ('' when it starts with one)."""
    for i, ch in enumerate(pattern):
        if ch in "*?[":
            return pattern[:i]
    return pattern
