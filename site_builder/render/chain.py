"""The chain a diagram draws: an alliance's segments (上游, 中游, 下游, 服务) in order,
each with its members ranked by role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from site_builder.link.model import Item, Membership
from site_builder.validate.vocabularies import ROLE_ORDER, SEGMENT_ORDER

SERVICE = "服务"


EMPHASISED = ("链主", "龙头企业")


@dataclass(frozen=True)
class _Member:
    item: Item
    role: str

    @property
    def kind(self) -> str:
        return "owner" if self.role == "链主" else "leader" if self.role == "龙头企业" else "other"


@dataclass(frozen=True)
class _Segment:
    segment: str
    names: tuple[str, ...]  # the alliance's chain[].name entries for this segment
    members: tuple[_Member, ...]


def _segments(alliance: Item, members: Sequence[Membership]) -> list[_Segment]:
    """Segments in chain order: those named in `chain` and those that have members."""
    names: dict[str, list[str]] = {}
    for entry in alliance.get("chain") or ():
        names.setdefault(entry["segment"], []).append(str(entry["name"]))
    by_segment: dict[str, list[_Member]] = {}
    seen: set[str] = set()
    for m in members:
        if m.enterprise.slug in seen:  # one box per enterprise
            continue
        seen.add(m.enterprise.slug)
        by_segment.setdefault(m.segment, []).append(_Member(m.enterprise, m.role))
    order = list(SEGMENT_ORDER) + sorted((set(names) | set(by_segment)) - set(SEGMENT_ORDER))
    out = []
    for seg in order:
        if seg not in names and seg not in by_segment:
            continue
        ms = sorted(by_segment.get(seg, ()), key=lambda m: _role_rank(m.role))  # stable
        out.append(_Segment(seg, tuple(names.get(seg, ())), tuple(ms)))
    return out


def _role_rank(role: str) -> int:
    return ROLE_ORDER.index(role) if role in ROLE_ORDER else len(ROLE_ORDER)
