"""Terms: the tags, industries and regions the published records name, each with its pinyin
slug and its items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from site_builder.core.pinyin import term_slug, unique_slugs
from site_builder.link.model import (
    TAXONOMIES,
    Item,
    Term,
    region_paths,
)
from site_builder.link.order import (
    _mixed_order,
)


def collect_terms(by_kind: Mapping[str, list[Item]]) -> dict[str, list[Term]]:
    found: dict[str, dict[str, list[Item]]] = {t: defaultdict(list) for t in TAXONOMIES}
    parents: dict[str, str | None] = {}
    for story in by_kind["story"]:
        for tag in story.get("tags", ()):
            found["tags"][tag].append(story)
    for ent in by_kind["enterprise"]:
        for tag in ent.get("tags", ()):
            found["tags"][tag].append(ent)
        if ent.get("industry"):
            found["industries"][ent["industry"]].append(ent)
    for alliance in by_kind["alliance"]:
        for industry in alliance.get("industries", ()):
            found["industries"][industry].append(alliance)
        parent = None
        for path in region_paths(alliance):
            found["regions"][path].append(alliance)
            parents.setdefault(path, parent)
            parent = path
    # Each term lists its items in _mixed_order: ranked once (18,000 keys) rather than
    # keyed again in every term's sort (46,000 at N=300). The order is the same: the key
    # holds the kind and slug, so no two items tie.
    ranked = sorted((it for kind in ("story", "enterprise", "alliance") for it in by_kind[kind]),
                    key=_mixed_order)
    rank = {id(it): n for n, it in enumerate(ranked)}
    out: dict[str, list[Term]] = {}
    for taxonomy, names in found.items():
        slugs = _region_slugs(list(names)) if taxonomy == "regions" else unique_slugs(
            list(names))
        out[taxonomy] = [
            Term(taxonomy, name, slugs[name],
                 tuple(sorted(set(its), key=lambda it: rank[id(it)])),
                 parents.get(name) if taxonomy == "regions" else None)
            for name, its in names.items()
        ]
    return out


def _region_slugs(paths: list[str]) -> dict[str, str]:
    """A region's slug is its own name in pinyin, or its whole path where names repeat."""
    short = {p: term_slug(p.rsplit("/", 1)[-1]) for p in paths}
    counts: dict[str, int] = defaultdict(int)
    for slug in short.values():
        counts[slug] += 1
    wanted = [p if counts[short[p]] > 1 else p.rsplit("/", 1)[-1] for p in paths]
    slugs = unique_slugs(wanted)
    return {p: slugs[w] for p, w in zip(paths, wanted, strict=True)}
