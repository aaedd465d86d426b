"""The pages of the site: every HTML page as a PageTask, in a stable order."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from site_builder.link.model import Item, Term
from site_builder.render.i18n import translate
from site_builder.render.tasks import PageTask

STORIES_PER_PAGE = 10



def pager_window(current: int, count: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and `around` on each side of
    the current one; None where numbers are left out. Listing every page made each of 300
    listing pages link to all 300 (and a phone's screen show them)."""
    shown = {1, count, *range(max(1, current - around), min(count, current + around) + 1)}
    window: list[int | None] = []
    last = 0
    for k in sorted(shown):
        if k - last == 2 and last:  # a gap of one number: the number takes no more room
            window.append(k - 1)
        elif k - last > 2 and last:
            window.append(None)
        window.append(k)
        last = k
    return window


class PagePlanner:
    """Every HTML page of the site as a PageTask, in a stable order."""

    # ---- pages ------------------------------------------------------------------------

    def tasks(self) -> Iterator[PageTask]:
        """Every HTML page of the site, in a stable order."""
        m, t = self.model, self._t
        yield PageTask("", "home.html", self.config.title, self.config.description,
                       {"stories": m.stories[:6], "alliances": m.alliances[:6]}, "home")
        yield PageTask("alliances/", "alliances.html", t("nav.alliances"),
                       t("alliances.description"), {"items": m.alliances}, "alliances",
                       ((t("nav.alliances"), "alliances/"),))
        for a in m.alliances:
            yield self._item_task(a, "alliance.html", "alliances", {
                "members": m.members.get(a.slug, ()),
                "stories": m.stories_of.get(("alliance", a.slug), ()),
                "stations": m.stations_of.get(a.slug, ()),
                "listings": m.listings_of.get(("alliance", a.slug), ()),
                "owner": m.get("enterprise", a.get("chain_owner") or ""),
                "region_term": m.region_of(a),
            }, og_type="article")
        yield PageTask("enterprises/", "enterprises.html", t("nav.enterprises"),
                       t("enterprises.description"), {"items": m.enterprises}, "enterprises",
                       ((t("nav.enterprises"), "enterprises/"),))
        for e in m.enterprises:
            yield self._item_task(e, "enterprise.html", "enterprises", {
                "memberships": m.memberships.get(e.slug, ()),
                "stories": m.stories_of.get(("enterprise", e.slug), ()),
                "listings": m.listings_of.get(("enterprise", e.slug), ()),
            })
        yield from self._story_tasks()
        yield PageTask("stations/", "stations.html", t("nav.stations"),
                       t("stations.description"), {"groups": self._stations_by_region()},
                       "stations", ((t("nav.stations"), "stations/"),))
        for s in m.stations:
            yield self._item_task(s, "station.html", "stations",
                                  {"alliances": m.alliances_of_station(s)})
        yield PageTask("listings/", "listings.html", t("nav.listings"),
                       t("listings.description"), {"items": m.listings}, "listings",
                       ((t("nav.listings"), "listings/"),))
        for li in m.listings:
            yield self._item_task(li, "listing.html", "listings", {
                "alliance": m.get("alliance", li.get("alliance") or ""),
                "enterprise": m.get("enterprise", li.get("enterprise") or ""),
            })
        for p in m.pages:
            yield PageTask(p.url, "page.html", p.title, p.get("summary", ""), {"item": p},
                           f"pages/{p.slug}", ((p.title, p.url),), p)
        for taxonomy, terms in m.terms.items():
            name = t(f"taxonomy.{taxonomy}")
            yield PageTask(f"{taxonomy}/", "terms.html", name,
                           t(f"taxonomy.{taxonomy}.description"),
                           {"taxonomy": taxonomy, "terms": terms}, taxonomy,
                           ((name, f"{taxonomy}/"),))
            for term in terms:
                yield self._term_task(term, name)
        yield PageTask("map/", "map.html", t("nav.map"), t("map.description"),
                       {"groups": self._stations_by_region()}, "map",
                       ((t("nav.map"), "map/"),))
        yield PageTask("search/", "search.html", t("search.title"), t("search.description"),
                       {}, "search", ((t("search.title"), "search/"),))
        yield PageTask("404.html", "404.html", t("notfound.title"), t("notfound.description"))

    def _t(self, key: str, **kw: Any) -> str:
        return translate(key, self.lang, **kw)

    def _item_task(self, item: Item, template: str, section: str, values: dict[str, Any],
                   og_type: str = "website") -> PageTask:
        description = str(item.get("summary") or item.get("description") or "")
        crumb = self._crumbs.get(section)
        if crumb is None:
            crumb = self._crumbs[section] = (self._t(f"nav.{section}"), f"{section}/")
        crumbs = (crumb, (item.label, item.url))
        return PageTask(item.url, template, item.title, description,
                        {"item": item, **values}, section, crumbs, item, og_type)

    def _term_task(self, term: Term, taxonomy_name: str) -> PageTask:
        desc = self._t(f"taxonomy.{term.taxonomy}.term", name=term.label)
        by_kind: dict[str, list[Item]] = {}
        for it in term.items:
            by_kind.setdefault(it.record_kind, []).append(it)
        return PageTask(term.url, "term.html", term.label, desc,
                        {"term": term, "by_kind": by_kind}, term.taxonomy,
                        ((taxonomy_name, f"{term.taxonomy}/"), (term.label, term.url)))

    def _story_tasks(self) -> Iterator[PageTask]:
        m, t = self.model, self._t
        pages = self._story_pages()
        for n in range(1, pages + 1):
            chunk = m.stories[(n - 1) * STORIES_PER_PAGE : n * STORIES_PER_PAGE]
            path = "stories/" if n == 1 else f"stories/page/{n}/"
            pager = {
                "number": n, "count": pages,
                "prev": None if n == 1 else ("stories/" if n == 2 else f"stories/page/{n-1}/"),
                "next": None if n == pages else f"stories/page/{n+1}/",
                "pages": [(k, None if k is None else "stories/" if k == 1
                           else f"stories/page/{k}/") for k in pager_window(n, pages)],
            }
            title = t("nav.stories") if n == 1 else t("stories.page", n=n)
            yield PageTask(path, "stories.html", title, t("stories.description"),
                           {"items": chunk, "pager": pager}, "stories",
                           ((t("nav.stories"), "stories/"),))
        for i, s in enumerate(m.stories):
            newer = m.stories[i - 1] if i > 0 else None
            older = m.stories[i + 1] if i + 1 < len(m.stories) else None
            yield self._item_task(s, "story.html", "stories", {
                "newer": newer, "older": older,
                "alliances": [a for a in (m.get("alliance", x) for x in s.get("alliances", ()))
                              if a],
                "enterprises": [e for e in (m.get("enterprise", x)
                                            for x in s.get("enterprises", ())) if e],
                "related": self._related_stories(s, i),
            }, og_type="article")

    def _index_stories(self) -> tuple[dict[str, set[tuple[str, str]]],
                                      dict[tuple[str, str], list[int]]]:
        """Each story's alliances, enterprises and tags, and the stories under each of them."""
        keys = {s.slug: ({("a", x) for x in s.get("alliances", ())}
                         | {("e", x) for x in s.get("enterprises", ())}
                         | {("t", x) for x in s.get("tags", ())})
                for s in self.model.stories}
        stories_by_key: dict[tuple[str, str], list[int]] = {}
        for i, s in enumerate(self.model.stories):
            for key in keys[s.slug]:
                stories_by_key.setdefault(key, []).append(i)
        return keys, stories_by_key

    def _related_stories(self, story: Item, position: int) -> list[Item]:
        """Other stories sharing an alliance, an enterprise or a tag; most shared first."""
        table = self._related[self._story_signature]
        found = table[position]
        if found is None:
            found = table[position] = self._count_related(story, position)
        return [self.model.stories[i] for i in found]

    def _count_related(self, story: Item, position: int) -> list[int]:
        keys, stories_by_key = self._story_index
        shared: dict[int, int] = {}
        for key in keys[story.slug]:
            for i in stories_by_key[key]:
                shared[i] = shared.get(i, 0) + 1
        best = heapq.nsmallest(4, ((-n, i) for i, n in shared.items() if i != position))
        return [i for _, i in best]

    def _stations_by_region(self) -> list[tuple[str, list[Item]]]:
        """Stations grouped by the region of the first alliance they serve."""
        groups: dict[str, list[Item]] = {}
        other = self._t("stations.other_region")
        for s in self.model.stations:
            alliances = self.model.alliances_of_station(s)
            region = alliances[0].get("region") if alliances else None
            name = " ".join(v for v in (region or {}).values() if v) or other
            groups.setdefault(name, []).append(s)
        return sorted(groups.items(), key=lambda kv: (kv[0] == other, kv[0]))
