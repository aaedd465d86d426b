"""Every record of the site, for the workbench home and for the reference pickers: found by
its name, short name, file name or pinyin (full or initials)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from site_builder.core.pinyin import pinyin, sort_key
from site_builder.link.model import Model
from site_builder.load.files import walk_files
from site_builder.workbench.kinds import KIND_LABELS, RecordFile, record_file


@dataclass(frozen=True)
class Entry:
    record: RecordFile
    title: str
    short: str
    url: str | None  # its page in the preview (None: a draft left out, or in error)
    draft: bool

    @property
    def search(self) -> str:
        """The words a search box matches: names, file name, pinyin and its initials."""
        words = pinyin(self.title) + pinyin(self.short)
        initials = "".join(w[:1] for w in pinyin(self.title))
        return " ".join([self.title, self.short, self.record.slug, "".join(words),
                         initials]).lower()


def catalog(content_dir: Path, model: Model | None) -> dict[str, list[Entry]]:
    """Records by kind, each kind sorted by name in pinyin order; files the last check
    could not read are listed too (by file name), so they can be opened and fixed."""
    out: dict[str, list[Entry]] = {kind: [] for kind in KIND_LABELS}
    for rel, _abspath, _linked in walk_files(content_dir):
        record = record_file(rel)
        if record is None:
            continue
        item = model.get(record.kind, record.slug) if model and record.kind != "site" else None
        if record.kind == "site":
            title = model.config.title if model else "网站设置"
            out["site"].append(Entry(record, title or "网站设置", "", "/", False))
            continue
        if item is None:
            out[record.kind].append(Entry(record, record.slug, "", None, False))
            continue
        out[record.kind].append(Entry(record, item.title, str(item.get("short_name") or ""),
                                      "/" + item.url, bool(item.draft)))
    for entries in out.values():
        entries.sort(key=lambda e: (sort_key(e.title), e.record.slug))
    return out


def choices(entries: list[Entry]) -> list[tuple[str, str]]:
    """(file name, what the picker shows) for a reference picker of one kind."""
    return [(e.record.slug, f"{e.title}" + (f"（{e.short}）" if e.short else "")
             + " " + "".join(pinyin(e.title))) for e in entries]
