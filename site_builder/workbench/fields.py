"""The form of each kind, read off the schema the build validates with: one input per key,
labelled with the key's Chinese meaning, and a widget that fits its kind of value."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from site_builder.core.positions import KeyPath
from site_builder.validate.schema import LOCATION, SCHEMAS
from site_builder.validate.specs import Record, Spec
from site_builder.validate.values import (
    Bool,
    Coordinate,
    Date,
    Enum,
    Image,
    Integer,
    ListOf,
    Number,
    Ref,
    Text,
)

# Keys whose text is Markdown: a textarea with a live preview beside it.
MARKDOWN_KEYS = frozenset({"description", "footer"})
# Keys of plain text long enough for a textarea.
LONG_KEYS = frozenset({"summary"})
# Keys an editor never needs in a form: free data for custom templates, kept as written.
HIDDEN_KEYS = frozenset({"extra"})

# Help under an input, where the meaning alone does not say how to fill it in.
HELP: dict[str, str] = {
    "name": "写全称，与公章、营业执照上的名称一致。",
    "short_name": "卡片、导航和地图上显示，可不填。",
    "summary": "一两句话，显示在列表和搜索结果里。",
    "alliance.summary": "200 字以内，显示在联盟卡片上。",
    "story.summary": "200 字以内，显示在案例列表里。",
    "chain_owner": "链主企业须以“链主”角色加入本联盟。",
    "weight": "数字小的排在前面；不填则按名称排序。",
    "stats.value": "只写阿拉伯数字，“余”“多”等字写进指标名称或单位。",
    "stats.as_of": "数据统计到哪一天（或哪个月、哪一年）。",
    "date": "日期在未来的案例要到那一天才发布。",
    "updated": "页面上显示的更新日期；不填时取文件最后一次提交的日期。",
    "draft": "勾选后不发布，只在预览中看得到。",
    "nav_weight": "填了数字，这个页面就出现在导航栏里，数字小的在前。",
    "base_url": "网站正式发布后的完整地址，以 https:// 开头。",
    "website": "以 http:// 或 https:// 开头的完整网址。",
    "source.url": "报道原文的网址。",
    "tags": "每项一个词，例如 专精特新。",
    "industries": "每项一个产业，例如 人工智能。",
    "services": "每项一个服务，例如 政策咨询。",
}
DATE_HELP = "可写 2024-03-05、2024年3月5日、2024.3.5，或只写到月、年：2024年3月、2024。"
REF_HELP = "输入名称、简称或拼音的一部分，从列表中选择。"
IMAGE_HELP = "把照片拖到这里，或点“上传图片”；也可填 /media/ 下已有图片的路径。"


@dataclass(frozen=True)
class FieldView:
    """One key of a form: where it is, how it is labelled, and how it is typed in."""

    key: str
    path: KeyPath  # relative to the record (list items: relative to the item)
    label: str
    help: str
    required: bool
    widget: str  # text textarea markdown number date select ref image checkbox group
    #              location list
    choices: tuple[tuple[str, str], ...] = ()  # select: (value, label)
    ref_kind: str = ""
    children: tuple[FieldView, ...] = ()  # group, location, list of groups: the item's keys
    item: FieldView | None = None  # list: how one item is typed in
    min_items: int = 0


def _widget(key: str, spec: Spec) -> str:
    if isinstance(spec, Bool):
        return "checkbox"
    if isinstance(spec, Enum):
        return "select"
    if isinstance(spec, Ref):
        return "ref"
    if isinstance(spec, Image):
        return "image"
    if isinstance(spec, Date):
        return "date"
    if isinstance(spec, Integer | Number | Coordinate):
        return "number"
    if isinstance(spec, Text) and key in MARKDOWN_KEYS:
        return "markdown"
    if isinstance(spec, Text) and (key in LONG_KEYS or spec.max_len):
        return "textarea"
    return "text"


def _help(kind: str, dotted: str, widget: str, spec: Spec) -> str:
    text = HELP.get(f"{kind}.{dotted}") or HELP.get(dotted) or HELP.get(dotted.split(".")[-1])
    extra = {"date": DATE_HELP, "ref": REF_HELP, "image": IMAGE_HELP}.get(widget, "")
    if widget == "textarea" and isinstance(spec, Text) and spec.max_len and not text:
        text = f"{spec.max_len} 字以内。"
    return " ".join(t for t in (text, extra) if t)


def _view(kind: str, key: str, spec: Spec, required: bool, label: str,
          parent: KeyPath) -> FieldView:
    path = (*parent, key)
    dotted = ".".join(str(p) for p in path)
    if isinstance(spec, ListOf):
        item = _view(kind, "", spec.item, True, label, ())
        return FieldView(key, path, label, _help(kind, dotted, "list", spec), required, "list",
                         item=item, min_items=spec.min_items)
    if isinstance(spec, Record):
        widget = "location" if spec is LOCATION else "group"
        children = tuple(_view(kind, k, f.spec, f.required, f.meaning.zh, ())
                         for k, f in spec.fields.items() if k not in HIDDEN_KEYS)
        return FieldView(key, path, label, _help(kind, dotted, widget, spec), required, widget,
                         children=children)
    widget = _widget(key, spec)
    choices: tuple[tuple[str, str], ...] = ()
    if isinstance(spec, Enum):
        choices = tuple((c.zh, c.zh) for c in spec.choices)
    return FieldView(key, path, label, _help(kind, dotted, widget, spec), required, widget,
                     choices=choices, ref_kind=spec.kind if isinstance(spec, Ref) else "")


@functools.cache
def form_fields(kind: str) -> tuple[FieldView, ...]:
    """The inputs of a kind's form, in the schema's order (the content guide's order)."""
    spec = SCHEMAS[kind]
    return tuple(_view(kind, k, f.spec, f.required, f.meaning.zh, ())
                 for k, f in spec.fields.items() if k not in HIDDEN_KEYS)


def spec_at(kind: str, path: KeyPath) -> Spec | None:
    """The spec of the value at `path` (list indices step into the item)."""
    spec: Spec = SCHEMAS[kind]
    for part in path:
        if isinstance(spec, ListOf) and isinstance(part, int):
            spec = spec.item
        elif isinstance(spec, Record) and isinstance(part, str) and part in spec.fields:
            spec = spec.fields[part].spec
        else:
            return None
    return spec
