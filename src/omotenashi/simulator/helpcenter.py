"""The help centre: article views, searches, planted help and search loops, and the look-alikes.

On the web an article view is a `page` in category `Help`; in the phone app it is a `Help Article Viewed` track.
Planted loops: one topic's articles viewed three or more times in half an hour; three or more searches in ten
minutes with no result clicked; two pages alternating six or more times in a row. Look-alikes: a single view,
someone reading several different articles once each, a search whose result is clicked, one search left alone,
and going back to a page once.
"""

from __future__ import annotations

from collections.abc import Callable

from omotenashi.simulator.company import PAGES
from omotenashi.simulator.frictions import HELP_LOOP
from omotenashi.simulator.state import Life
from omotenashi.simulator.timeline import APP, WEB
from omotenashi.simulator.topics import TOPIC_IDS, TOPICS, Article


def view(life: Life, t: int, article: Article, device: str = WEB) -> str:
    """One article view: a Help page on the web, a `Help Article Viewed` track in the app."""
    if device == APP:
        return life.tl.track(t, "Help Article Viewed", {"article_id": article.id, "title": article.title}, APP)
    return life.tl.page(
        t,
        "help_article",
        name=article.title,
        path=f"/articles/{article.slug}",
        category="Help",
        extra={"article_id": article.id},
    )


def search(life: Life, t: int, query: str, results: int) -> str:
    """A help-centre search and how many results it found."""
    return life.tl.track(t, "Help Searched", {"query": query, "results": results})


def open_result(life: Life, t: int, query: str, article: Article, position: int) -> int:
    """A search result clicked, and the article it opens."""
    life.tl.track(
        t,
        "Search Result Clicked",
        {"query": query, "article_id": article.id, "title": article.title, "position": position},
    )
    t += life.rng.randint(300, 1_500)
    view(life, t, article)
    return t


def single_view(life: Life, t: int, device: str) -> int:
    """Look-alike: one article read once."""
    topic = TOPICS[life.rng.choice(TOPIC_IDS)]
    view(life, t, life.rng.choice(topic.articles), device)
    return t + life.rng.randint(20_000, 180_000)


def doc_reading(life: Life, t: int) -> int:
    """Look-alike: several different articles, each read once, as someone learning the product does."""
    rng = life.rng
    for topic_id in rng.sample(TOPIC_IDS, rng.randint(3, 6)):
        view(life, t, rng.choice(TOPICS[topic_id].articles))
        t += rng.randint(30_000, 240_000)
    return t


def search_and_click(life: Life, t: int) -> int:
    """Look-alike: a search that finds what it looked for."""
    rng = life.rng
    topic_id = rng.choice(TOPIC_IDS)
    query = life.writer.query(topic_id)
    search(life, t, query, rng.randint(2, 9))
    t += rng.randint(2_000, 10_000)
    return open_result(life, t, query, rng.choice(TOPICS[topic_id].articles), rng.randint(1, 3)) + 60_000


def lone_search(life: Life, t: int) -> int:
    """Look-alike: one search, its snippets enough, nothing clicked."""
    topic_id = life.rng.choice(TOPIC_IDS)
    search(life, t, life.writer.query(topic_id), life.rng.randint(0, 6))
    return t + life.rng.randint(10_000, 60_000)


def revisit(life: Life, t: int) -> int:
    """Look-alike: from the board to a task and back, once."""
    rng = life.rng
    life.tl.page(t, "board")
    t += rng.randint(3_000, 20_000)
    life.tl.page(t, "task", path=f"/app/task/{rng.randrange(1, 400)}")
    t += rng.randint(5_000, 60_000)
    life.tl.page(t, "board")
    return t + rng.randint(3_000, 10_000)


def help_loop(life: Life, t: int, topic_id: str, variant: str, resolve: Callable[[int], int] | None) -> int:
    """Planted: the customer circles around one topic without getting anywhere.

    `resolve(t)` does what the customer was trying to do, when in the end they manage it, and returns the time.
    """
    if variant == "search_without_click":
        return _search_loop(life, t, topic_id)
    if variant == "back_and_forth":
        return _back_and_forth(life, t, topic_id)
    return _repeated_views(life, t, topic_id, resolve)


def _repeated_views(life: Life, t: int, topic_id: str, resolve: Callable[[int], int] | None) -> int:
    rng = life.rng
    topic = TOPICS[topic_id]
    first = t
    mids: list[str] = []
    times: list[int] = []
    main = rng.choice(topic.articles)
    for k in range(rng.randint(3, 5)):
        article = main if k % 2 == 0 or len(topic.articles) == 1 else rng.choice(topic.articles)
        mids.append(view(life, t, article))
        times.append(t)
        t += rng.randint(30_000, 200_000)
        life.tl.page(t, topic.page)  # tries again where the trouble is
        t += rng.randint(20_000, 150_000)
    end = None
    if resolve is not None and rng.random() < 0.4:  # in the end it works
        t = resolve(t)
        end = t
    life.book.add(
        HELP_LOOP,
        "repeated_views",
        first,
        mids,
        end_ms=end,
        detectable_ms=times[2],
        topic=topic_id,
        articles=sorted({a.id for a in topic.articles}),
        views=len(mids),
    )
    return t


def _search_loop(life: Life, t: int, topic_id: str) -> int:
    rng = life.rng
    first = t
    mids: list[str] = []
    times: list[int] = []
    zero_share = rng.choice((0.3, 0.6, 0.9))
    query = ""
    for _ in range(rng.randint(3, 5)):
        query = life.writer.query(topic_id)
        results = 0 if rng.random() < zero_share else rng.randint(1, 6)
        mids.append(search(life, t, query, results))
        times.append(t)
        t += rng.randint(15_000, 120_000)
    end = None
    if rng.random() < 0.3:  # in the end a search finds it
        query = life.writer.query(topic_id)
        mids.append(search(life, t, query, rng.randint(1, 4)))
        t += rng.randint(3_000, 15_000)
        mids.append(life.tl.track(t, "Search Result Clicked", _clicked(query, TOPICS[topic_id].articles[0])))
        end = t
        t += rng.randint(500, 1_500)
        view(life, t, TOPICS[topic_id].articles[0])
    life.book.add(
        HELP_LOOP,
        "search_without_click",
        first,
        mids,
        end_ms=end,
        detectable_ms=times[2],
        topic=topic_id,
        searches=len(times),
    )
    return t


def _back_and_forth(life: Life, t: int, topic_id: str) -> int:
    rng = life.rng
    topic = TOPICS[topic_id]
    article = rng.choice(topic.articles)
    first = t
    mids: list[str] = []
    times: list[int] = []
    for k in range(2 * rng.randint(3, 5)):
        if k % 2 == 0:
            mids.append(life.tl.page(t, topic.page))
        else:
            mids.append(view(life, t, article))
        times.append(t)
        t += rng.randint(8_000, 70_000)
    life.book.add(
        HELP_LOOP,
        "back_and_forth",
        first,
        mids,
        detectable_ms=times[5],
        topic=topic_id,
        pages=[PAGES[topic.page].path, f"/articles/{article.slug}"],
        views=len(mids),
    )
    return t


def _clicked(query: str, article: Article) -> dict[str, object]:
    return {"query": query, "article_id": article.id, "title": article.title, "position": 1}
