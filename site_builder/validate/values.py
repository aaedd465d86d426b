"""The kinds of value a key can hold: text, numbers, coordinates, dates at their precision,
references, URLs, e-mail, filing numbers, images and enumerations with Chinese values and
English aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from site_builder.core.dates import parse_date
from site_builder.core.diagnostics import L, Report, closest
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.validate import filing
from site_builder.validate.specs import INVALID, Ctx, Record, Spec

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


SLUG_MAX = 64


@dataclass(frozen=True)
class Text(Spec):
    max_len: int | None = None
    expected = L("文字", "text")
    example = L("直接写文字即可；文字里有冒号或以特殊符号开头时加引号。", "Write plain text.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        # Editors write phone numbers, years and times bare; YAML makes them numbers (even
        # octal: 0512345670, or minutes: 9:30). Take the text exactly as written.
        if path in ctx.positions.raw and not isinstance(value, list | dict):
            value = ctx.positions.raw[path]
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if self.max_len is not None and len(value) > self.max_len:
            return ctx.error("too-long", path, length=len(value), max=self.max_len)
        return value


@dataclass(frozen=True)
class Integer(Spec):
    low: int | None = None
    expected = L("整数", "a whole number")
    example = L("写阿拉伯数字，例如 10。", "Write digits, e.g. 10.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"-?\d+", text):
                value = int(text)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong(value, ctx, path)
        if self.low is not None and value < self.low:
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Number(Spec):
    expected = L("数字", "a number")
    example = L("只写阿拉伯数字，如 13.45；“余”“多”等字写进 label 或 unit。",
                "Write digits only, e.g. 13.45; words like 'over' go in the label or unit.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"-?\d+(\.\d+)?", text):
                value = float(text) if "." in text else int(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Coordinate(Spec):
    axis: str = "lat"  # lat or lon

    @property
    def expected(self) -> L:  # type: ignore[override]
        if self.axis == "lat":
            return L("纬度（小数）", "a latitude")
        return L("经度（小数）", "a longitude")

    example = L("用小数表示，例如 lat: 31.99，lon: 118.77。", "Decimal degrees, e.g. 31.99.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        number = Number().check(value, Ctx(ctx.file, ctx.positions, Report()), path)
        if number is INVALID:
            return self.wrong(value, ctx, path)
        limit = 90 if self.axis == "lat" else 180
        if not -limit <= number <= limit:
            axis = L("纬度 lat", "Latitude") if self.axis == "lat" else L("经度 lon", "Longitude")
            return ctx.error("bad-coordinate", path, axis=axis, value=number, low=-limit,
                             high=limit)
        return float(number)


@dataclass(frozen=True)
class Bool(Spec):
    expected = L("“true”或“false”", "true or false")
    example = L("写 true（是）或 false（否）。", "Write true or false.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, bool):
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Date(Spec):
    expected = L("日期", "a date")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        parsed = parse_date(value)
        if parsed is None:
            return ctx.error("bad-date", path, value=value)
        return parsed


@dataclass(frozen=True)
class Ref(Spec):
    """The slug of another item; resolved by the model."""

    kind: str = ""
    expected = L("文件名（slug）", "a slug")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if not SLUG_RE.match(value) or len(value) > SLUG_MAX:
            return ctx.error("bad-slug-value", path, value=value)
        return value


@dataclass(frozen=True)
class Url(Spec):
    internal: bool = False  # also accept site paths starting with '/'
    expected = L("网址", "a URL")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if self.internal and value.startswith("/") and not value.startswith("//"):
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            return ctx.error("bad-url", path, value=value)
        return value


@dataclass(frozen=True)
class BaseUrl(Spec):
    """The site's own absolute address."""

    expected = L("网址", "a URL")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            return ctx.error("bad-base-url", path, value=value)
        return value


@dataclass(frozen=True)
class Email(Spec):
    expected = L("电子邮箱", "an e-mail address")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            return ctx.error("bad-email", path, value=value)
        return value


@dataclass(frozen=True)
class FilingNumber(Spec):
    """One number of the filing block, in its own format (validate/filing.py)."""

    kind: str = "icp"  # a key of filing.CHECKS
    expected = L("文字", "text")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        text = Text().check(value, ctx, path)
        if text is INVALID:
            return INVALID
        found = filing.CHECKS[self.kind](text)
        if found is None:
            return ctx.error(f"filing-{self.kind.replace('_', '-')}", path, value=text)
        return found


@dataclass(frozen=True)
class UrlOrOff(Spec):
    """A URL, or false to show no link at all."""

    expected = L("网址或 false", "a URL or false")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if value is False:
            return False
        if isinstance(value, bool):
            return self.wrong(value, ctx, path)
        return Url(internal=True).check(value, ctx, path)


@dataclass(frozen=True)
class Image(Spec):
    """A path to an image: relative to the file's folder, or /media/…; checked by the model."""

    expected = L("图片路径", "an image path")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.wrong(value, ctx, path)
        return value.strip()


@dataclass(frozen=True)
class Choice:
    """One enumerated value: canonical Chinese, English alias, and other accepted spellings."""

    zh: str
    en: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Enum(Spec):
    choices: tuple[Choice, ...] = ()
    show_aliases: bool = True  # whether the English alias appears in 'accepted values'
    expected = L("可选值之一", "one of the accepted values")

    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for c in self.choices:
            for spelling in (c.zh, c.en, *c.also):
                table[spelling.lower()] = c.zh
        return table

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        text = value.strip()
        # Editors paste values with brackets from the guide: "链主（chain_owner）".
        text = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text) or text
        found = self.lookup().get(text.lower())
        if found is not None:
            return found
        allowed = [f"{c.zh}（{c.en}）" if self.show_aliases else c.zh for c in self.choices]
        spellings = [c.zh for c in self.choices] + [c.en for c in self.choices]
        suggestion = closest(text, spellings, cutoff=0.4)
        if suggestion:
            suggestion = self.lookup()[suggestion.lower()]
            return ctx.error("bad-enum", path, value=value, allowed=allowed,
                             suggestion=suggestion)
        return ctx.error("bad-enum-nosuggest", path, value=value, allowed=allowed)

    def english(self, zh: str) -> str:
        for c in self.choices:
            if c.zh == zh:
                return c.en
        return zh


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Text)
    min_items: int = 0
    expected = L("列表", "a list")
    example = L("每一项另起一行，以“- ”开头（减号加空格），或写成 [甲, 乙]。",
                "Put each item on its own line starting with '- ', or write [a, b].")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        # One value where a list is expected is a list of one: `industries: 人工智能`.
        if value is None:
            value = []
        if not isinstance(value, list):
            value = [value]
            if isinstance(self.item, Record) and isinstance(value[0], dict):
                pass
            elif isinstance(self.item, Record):
                return self.wrong(value[0], ctx, path)
            _promote_positions(ctx, path)
        if len(value) < self.min_items:
            return ctx.error("empty-list", path, name=format_key(path), min=self.min_items,
                             example=self.example)
        out = []
        for i, item in enumerate(value):
            checked = self.item.check(item, ctx, (*path, i))
            if checked is not INVALID:
                out.append(checked)
        return tuple(out)



def _promote_positions(ctx: Ctx, path: KeyPath) -> None:
    """A scalar read as a one-item list keeps its position (and any nested ones) as item 0."""
    values = dict(ctx.positions.values)
    keys = dict(ctx.positions.keys)
    raw = dict(ctx.positions.raw)
    n = len(path)
    for table in (values, keys, raw):
        for p in [p for p in table if p[:n] == path]:
            table[(*path, 0, *p[n:])] = table[p]
    ctx.positions = Positions(keys, values, raw)
