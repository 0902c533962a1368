"""Robot traffic: crawlers reading the marketing site and help centre, anonymous and fast, never customers.

They revisit pages and flick between them far faster than people do, so they look like help loops to a detector
that forgets to skip robots: a look-alike with no label. Their user agent says they are robots.
"""

from __future__ import annotations

from typing import Any

import msgspec

from omotenashi.simulator.company import HELP_HOST, MARKETING_PAGES, PAGES
from omotenashi.simulator.timeline import LIBRARY, iso
from omotenashi.simulator.topics import TOPICS
from omotenashi.simulator.world import DAY_MS, WorldConfig

_encode = msgspec.json.Encoder().encode
AGENT = "Mozilla/5.0 (compatible; ExampleBot/2.1; +https://bot.example.com/) (synthetic)"


def crawler_messages(config: WorldConfig) -> list[tuple[int, int, bytes]]:
    """(timestamp, arrival, message) of every robot visit in the window."""
    rng = config.rng(-1, "crawlers")
    targets = [(PAGES[p].name, PAGES[p].host + PAGES[p].path, PAGES[p].path, "Marketing") for p in MARKETING_PAGES]
    for topic in TOPICS.values():
        for a in topic.articles:
            targets.append((a.title, f"{HELP_HOST}/articles/{a.slug}", f"/articles/{a.slug}", "Help"))
    out: list[tuple[int, int, bytes]] = []
    visits = config.days * max(1, config.customers // 2_500)
    for k in range(visits):
        robot = f"sim-bot-{k % 7:02d}"
        context = msgspec.Raw(
            _encode({"synthetic": True, "library": LIBRARY, "ip": f"198.51.100.{200 + k % 7}", "userAgent": AGENT})
        )
        t = config.start_ms + rng.randrange(config.days * DAY_MS)
        pool = rng.sample(targets, rng.randint(3, 8))
        for _ in range(rng.randint(10, 60)):
            name, url, path, category = rng.choice(pool)
            h = f"{rng.getrandbits(128):032x}"
            message: dict[str, Any] = {
                "type": "page",
                "messageId": f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}",
                "anonymousId": robot,
                "name": name,
                "category": category,
                "properties": {"path": path, "url": url, "title": name},
                "timestamp": iso(t),
                "context": context,
            }
            if t < config.end_ms:
                out.append((t, t, _encode(message)))
            t += rng.randint(200, 2_500)
    return out
