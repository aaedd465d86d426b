"""A new file made from a sheet row, in the commented layout of `site-builder new`: keys in
the schema's order, the accepted values beside each key, a first line saying where it came
from. (The comments' words live in core/starters.py, beside the templates of `new` and
`init`: the YAML loader knows them as the starter files' own comments.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from site_builder.core.starters import COMMENTS
from site_builder.sheets.yamledit import render_block, render_flow, render_item
from site_builder.validate.schema import SCHEMAS, Record

HEADS = {
    "alliance": ("# 联盟基本信息。以 # 开头的行是注释，不会显示在网站上。"
                 "完整说明见 docs/内容编写指南.md。"),
    "story": "# 案例故事：两行 --- 之间是元数据，下面是正文（Markdown）。",
    "page": "# 页面：两行 --- 之间是元数据，下面是正文（Markdown）。",
    "enterprise": "# 成员单位（企业、高校院所、服务机构）。完整说明见 docs/内容编写指南.md。",
    "station": "# 党建阵地，会显示在地图上。完整说明见 docs/内容编写指南.md。",
    "listing": "# “三张清单”中的一条：需求、资源或项目。完整说明见 docs/内容编写指南.md。",
}

_COMMENT_COLUMN = 40


def _with_comment(line: str, comment: str | None) -> str:
    if not comment:
        return line
    width = sum(2 if ord(ch) > 0x2E7F else 1 for ch in line)  # Han characters: two columns
    return line + " " * max(1, _COMMENT_COLUMN - width) + "# " + comment


def _ordered(spec: Record, data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    known = [k for k in spec.fields if k in data]
    return [(k, data[k]) for k in known] + [(k, v) for k, v in data.items() if k not in known]


def _lines(kind: str, spec: Record, data: Mapping[str, Any], prefix: str, indent: int
           ) -> list[str]:
    out: list[str] = []
    for key, value in _ordered(spec, data):
        name = f"{prefix}{key}"
        comment = COMMENTS.get(f"{kind}.{name}")
        field = spec.fields.get(key)
        inner = field.spec if field is not None else None
        pad = " " * indent
        if isinstance(value, Mapping) and isinstance(inner, Record):
            out.append(_with_comment(f"{pad}{key}:", comment))
            out += _lines(kind, inner, value, f"{name}.", indent + 2)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            out.append(_with_comment(f"{pad}{key}:", comment))
            item_spec = getattr(inner, "item", None)
            for item in value:
                out += _item_lines(kind, item_spec, item, f"{name}.", indent + 2)
        elif isinstance(value, Mapping) or (isinstance(value, str) and "\n" in value.strip()):
            out += render_block(key, value, indent)
        else:
            out.append(_with_comment(f"{pad}{key}: {render_flow(value)}", comment))
    return out


def _item_lines(kind: str, spec: Any, item: Mapping[str, Any], prefix: str, indent: int
                ) -> list[str]:
    if not isinstance(spec, Record):
        return render_item(item, indent)
    lines = _lines(kind, spec, item, prefix, indent + 2)
    if lines:
        lines[0] = " " * indent + "- " + lines[0].lstrip()
    return lines


def new_file_text(kind: str, data: Mapping[str, Any], source: str) -> str:
    """The text of a new record file made from the sheet row at `source`."""
    return record_text(kind, data, f"由表格导入：{source}。")


def record_text(kind: str, data: Mapping[str, Any], note: str) -> str:
    """A new record's YAML in the commented layout, with `note` saying where it came from."""
    lines = [HEADS[kind], f"# {note}"]
    lines += _lines(kind, SCHEMAS[kind], data, "", 0)
    return "\n".join(lines) + "\n"
