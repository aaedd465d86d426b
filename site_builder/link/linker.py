"""Linking: validated records become the model. References are resolved in one pass (a
reference to an invalid record says so, without a cascade), drafts and future stories are
left out, reverse indexes and terms are made."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from site_builder.core.config import BuildOptions, SiteConfig
from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import Report, closest
from site_builder.core.pinyin import sort_key
from site_builder.core.positions import KeyPath, format_key
from site_builder.link.crossfile import check_invalid_refs, check_same_names
from site_builder.link.model import (
    CHINA_LAT,
    CHINA_LON,
    KIND_WORDS,
    SECTIONS,
    Item,
    Membership,
    Model,
)
from site_builder.link.order import (
    _alliance_order,
    _in_order,
    _listing_order,
    _member_order,
    _name_order,
    _page_order,
    _story_order,
)
from site_builder.link.terms import collect_terms
from site_builder.load.gitdates import GitDates, read_git_dates
from site_builder.load.sourcedoc import MARKDOWN_FIELDS, AssetFile
from site_builder.load.sources import IMAGE_SUFFIXES
from site_builder.validate.schema import Validated


@dataclass
class _Linker:
    report: Report
    records: dict[tuple[str, str], Validated]
    published: dict[tuple[str, str], tuple[Any, ...]]  # what link_model makes Items of
    content_dir: Path
    asset_paths: frozenset[str]

    def at(self, rec: Validated, path: KeyPath) -> tuple[str, int | None, int | None, str]:
        line, col = rec.positions.of_value(path)
        return rec.doc.path, line, col, format_key(path)

    def ref(self, rec: Validated, path: KeyPath, kind: str, slug: str) -> bool:
        """Whether a reference is to a published record; report dangling, invalid or
        draft targets."""
        if (kind, slug) in self.published:
            return True
        file, line, col, key = self.at(rec, path)
        other = self.records.get((kind, slug))
        words = KIND_WORDS[kind]
        if other is None:
            candidates = sorted(s for (k, s) in self.records if k == kind)
            suggestion = closest(slug, candidates)
            code = "dangling-ref" if suggestion else "dangling-ref-nosuggest"
            self.report.emit(code, file, line, col, key, target=words, value=slug,
                             suggestion=suggestion or "", folder=SECTIONS[kind])
        elif not other.ok:
            # The target's own errors are reported in its file; saying so again at every
            # reference would bury the one real mistake under a cascade.
            pass
        else:  # a draft or a story from the future, left out of this build
            self.report.emit("ref-draft", file, line, col, key, target=words, value=slug,
                             source=other.doc.path)
        return False

    def image(self, rec: Validated, path: KeyPath, value: str, folder: str) -> str | None:
        """Resolve an image path to its place under content/ (and so in the output)."""
        file, line, col, key = self.at(rec, path)
        if value.startswith(("http://", "https://", "//")):
            self.report.emit("path-escape", file, line, col, key, value=value)
            return None
        rel = resolve_content_path(value, folder)
        # Files found by load_sources are inside content/ (links out were refused there);
        # only a path that names no such file needs the slow realpath check.
        if rel is None or (rel not in self.asset_paths and not _inside(self.content_dir, rel)):
            self.report.emit("path-escape", file, line, col, key, value=value)
            return None
        # Compare with the files found, not the disk: a case-insensitive disk would accept
        # Photo.JPG for photo.jpg here and the published site would then miss it.
        if rel not in self.asset_paths:
            self.report.emit("missing-file", file, line, col, key, value=value)
            return None
        if PurePosixPath(rel).suffix.lower() not in IMAGE_SUFFIXES:
            self.report.emit("not-an-image", file, line, col, key, value=value)
            return None
        return rel


def resolve_content_path(value: str, folder: str) -> str | None:
    """'/media/a.png' → 'media/a.png'; 'b.png' in alliances/x → 'alliances/x/b.png'.

    Returns None when the path climbs out of content/.
    """
    value = value.split("#")[0].split("?")[0]
    raw = value[1:] if value.startswith("/") else f"{folder}/{value}" if folder else value
    parts: list[str] = []
    for part in raw.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) if parts else None


def _inside(root: Path, rel: str) -> bool:
    """Whether content/<rel>, with symbolic links followed, stays inside content/."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / rel)
    return real == real_root or real.startswith(real_root + os.sep)


def link_model(
    validated: Iterable[Validated],
    config: SiteConfig,
    options: BuildOptions,
    assets: tuple[AssetFile, ...],
    report: Report,
    git: GitDates | None = None,
) -> Model:
    """Resolve references, filter drafts and future stories, and build the reverse indexes.

    `git`: the content files' commit dates (read here when not given): a record without
    `updated:` shows its file's last commit date."""
    if git is None:
        git = read_git_dates(options.content_dir)
    records: dict[tuple[str, str], Validated] = {}
    bodies: dict[str, Validated] = {}
    for rec in validated:
        if rec.doc.kind == "alliance_body":
            bodies[rec.doc.slug] = rec
        else:
            records[(rec.doc.kind, rec.doc.slug)] = rec
    published = _published(records, bodies, config, options, git)
    linker = _Linker(report, records, published, options.content_dir,
                     frozenset(a.path for a in assets))
    items = {key: _link_item(linker, records[key], key, parts)
             for key, parts in published.items()}
    check_invalid_refs(records, linker.ref)
    check_same_names(records, report)
    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in items.values():
        by_kind[item.record_kind].append(item)
    members, memberships = _memberships(by_kind, items)
    for alliance in by_kind["alliance"]:
        _check_chain_owner(linker, records[alliance.key], alliance, members[alliance.slug])
    terms = collect_terms(by_kind)
    return Model(
        config=config,
        alliances=tuple(sorted(by_kind["alliance"], key=_alliance_order)),
        enterprises=tuple(sorted(by_kind["enterprise"], key=_name_order)),
        stories=tuple(sorted(by_kind["story"], key=_story_order)),
        stations=tuple(sorted(by_kind["station"], key=_name_order)),
        listings=tuple(sorted(by_kind["listing"], key=_listing_order)),
        pages=tuple(sorted(by_kind["page"], key=_page_order)),
        index=items,
        members={k: _in_order(v, _member_order) for k, v in members.items()},
        memberships={k: _in_order(v, lambda m: _alliance_order(m.alliance))
                     for k, v in memberships.items()},
        **_reverse_indexes(by_kind),
        terms={t: tuple(sorted(v, key=lambda term: sort_key(term.name.replace("/", " "))))
               for t, v in terms.items()},
        term_index={(t.taxonomy, t.name): t for v in terms.values() for t in v},
        assets=assets,
        content_dir=options.content_dir,
        unpublished=frozenset(f"{SECTIONS[k]}/{s}/" for (k, s), rec in records.items()
                              if rec.ok and (k, s) not in published),
    )


def _published(records: dict[tuple[str, str], Validated], bodies: dict[str, Validated],
               config: SiteConfig, options: BuildOptions, git: GitDates
               ) -> dict[tuple[str, str], tuple[Any, ...]]:
    """What each published record is made of, until linked (Item arguments after the key):
    drafts and future stories left out unless asked for."""
    published: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, rec in sorted(records.items()):
        if not rec.ok:
            continue
        data = rec.data
        draft = bool(data.get("draft"))
        date = data.get("date") if rec.doc.kind == "story" else None
        future = isinstance(date, PartialDate) and date.first_day() > config.today
        if (draft and not options.drafts) or (future and not options.future):
            continue
        body, body_line, body_file = rec.doc.body, rec.doc.body_line, None
        if rec.doc.kind == "alliance" and rec.doc.slug in bodies:
            b = bodies[rec.doc.slug].doc
            body, body_line, body_file = b.body, 1, b.path
        # The document's own lines (kept in the memo's head) unless validation moved things.
        known = rec.doc.lines if rec.positions is rec.doc.positions else {}
        lines = {k: known.get(k) or rec.positions.of_value((k,))[0] or 1
                 for k in MARKDOWN_FIELDS if k in data}
        data, digest = _with_git_date(data, rec.doc.digest, git,
                                      (rec.doc.path, body_file or ""))
        published[key] = (rec.doc.path, data, body, body_line, body_file, digest,
                          draft, future, lines)
    return published


def _memberships(by_kind: Mapping[str, list[Item]], items: Mapping[tuple[str, str], Item]
                 ) -> tuple[dict[str, list[Membership]], dict[str, list[Membership]]]:
    """Each alliance's members and each enterprise's memberships (published alliances)."""
    members: dict[str, list[Membership]] = defaultdict(list)
    memberships: dict[str, list[Membership]] = defaultdict(list)
    for ent in by_kind["enterprise"]:
        for m in ent.get("memberships", ()):
            alliance = items.get(("alliance", m["alliance"]))
            if alliance is not None:
                ms = Membership(ent, alliance, m["role"], m["segment"])
                members[alliance.slug].append(ms)
                memberships[ent.slug].append(ms)
    return members, memberships


def _reverse_indexes(by_kind: Mapping[str, list[Item]]) -> dict[str, Any]:
    """The stories, stations and listings of each alliance and enterprise, in order."""
    stories_of: dict[tuple[str, str], list[Item]] = defaultdict(list)
    stations_of: dict[str, list[Item]] = defaultdict(list)
    listings_of: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for story in by_kind["story"]:
        for slug in story.get("alliances", ()):
            stories_of[("alliance", slug)].append(story)
        for slug in story.get("enterprises", ()):
            stories_of[("enterprise", slug)].append(story)
    for station in by_kind["station"]:
        for slug in station.get("alliances", ()):
            stations_of[slug].append(station)
    for listing in by_kind["listing"]:
        if listing.get("alliance"):  # absent when it named a draft or invalid alliance
            listings_of[("alliance", listing["alliance"])].append(listing)
        if listing.get("enterprise"):
            listings_of[("enterprise", listing["enterprise"])].append(listing)
    return {
        "stories_of": {k: _in_order(v, _story_order) for k, v in stories_of.items()},
        "stations_of": {k: _in_order(v, _name_order) for k, v in stations_of.items()},
        "listings_of": {k: _in_order(v, _listing_order) for k, v in listings_of.items()},
    }


def _with_git_date(data: Mapping[str, Any], digest: str, git: GitDates,
                   files: tuple[str, str]) -> tuple[Mapping[str, Any], str]:
    """The record's data with `updated` from its files' last commit when it has none, and
    its digest with that date in it: the page memo takes a record's data for a function
    of its file's bytes (item.digest), and a commit changes the date, not the bytes."""
    if data.get("updated") is not None or not git.last:
        return data, digest
    days = [git.last[f] for f in files if f in git.last]
    if not days:
        return data, digest
    day = max(days)
    return {**data, "updated": PartialDate(day.year, day.month, day.day)}, f"{digest}@{day}"


def _link_item(linker: _Linker, rec: Validated, record: tuple[str, str],
               parts: tuple[Any, ...]) -> Item:
    """Check a record's references and images, drop links to what is not published, and
    make its Item (`parts`: the Item's other arguments, its data second)."""
    data = dict(parts[1])
    folder = rec.doc.path.rpartition("/")[0]  # '' at the top of content/

    def refs(key: str, kind: str) -> None:
        if key not in data:
            return
        value = data[key]
        if isinstance(value, tuple):
            kept = tuple(s for i, s in enumerate(value) if linker.ref(rec, (key, i), kind, s))
            data[key] = kept
        elif not linker.ref(rec, (key,), kind, value):
            del data[key]

    def image(key: str) -> None:
        if key in data:
            resolved = linker.image(rec, (key,), data[key], folder)
            if resolved is None:
                del data[key]
            else:
                data[key] = resolved

    kind, slug = record
    if kind == "enterprise":
        kept, seen = [], set()
        for i, m in enumerate(data.get("memberships", ())):
            if m["alliance"] in seen:
                file, line, col, key = linker.at(rec, ("memberships", i, "alliance"))
                linker.report.emit("duplicate-membership", file, line, col, key,
                                   value=m["alliance"])
                continue
            seen.add(m["alliance"])
            if linker.ref(rec, ("memberships", i, "alliance"), "alliance", m["alliance"]):
                kept.append(m)
        data["memberships"] = tuple(kept)
        image("logo")
    elif kind == "alliance":
        image("cover")
    elif kind == "story":
        refs("alliances", "alliance")
        refs("enterprises", "enterprise")
        image("cover")
    elif kind == "station":
        refs("alliances", "alliance")
        image("photo")
    elif kind == "listing":
        refs("alliance", "alliance")
        refs("enterprise", "enterprise")
    location = data.get("location")
    if location:
        _check_china(linker, rec, location)
    file, _, body, body_line, body_file, digest, draft, future, lines = parts
    return Item(kind, slug, file, data, body, body_line, body_file, digest, draft, future,
                lines)


def _check_china(linker: _Linker, rec: Validated, location: Mapping[str, Any]) -> None:
    lat, lon = location["lat"], location["lon"]
    if not (CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]):
        file, line, col, key = linker.at(rec, ("location",))
        linker.report.emit("out-of-china", file, line, col, key, lat=lat, lon=lon)


def _check_chain_owner(linker: _Linker, rec: Validated, alliance: Item,
                       members: list[Membership]) -> None:
    owner = alliance.get("chain_owner")
    if not owner:
        return
    if not linker.ref(rec, ("chain_owner",), "enterprise", owner):
        return
    file, line, col, key = linker.at(rec, ("chain_owner",))
    mine = [m for m in members if m.enterprise.slug == owner]
    if not mine:
        linker.report.emit("chain-owner-not-member", file, line, col, key, value=owner,
                           alliance=alliance.slug)
    elif mine[0].role != "链主":
        linker.report.emit("chain-owner-role", file, line, col, key, value=owner,
                           role=mine[0].role)


