"""The workbench's text edits: lists reordered and shortened, keys dropped and multi-line
text set, with every comment and blank line staying beside what it describes."""

from __future__ import annotations

import yaml

from site_builder.workbench.textedit import delete_key, relist, set_value

MEMBERS = """\
memberships:
  # 两个联盟
  - alliance: a
    role: 成员企业
  # 这是链主
  - alliance: b   # b 联盟
    role: 链主

# 位置
location:
  lat: 1
"""


def test_reordered_items_take_their_own_comments_along() -> None:
    out = relist(MEMBERS, ("memberships",), [1, 0], [None, None])
    assert out == MEMBERS.replace(
        "  - alliance: a\n    role: 成员企业\n  # 这是链主\n  - alliance: b   # b 联盟\n"
        "    role: 链主\n",
        "  # 这是链主\n  - alliance: b   # b 联盟\n    role: 链主\n  - alliance: a\n"
        "    role: 成员企业\n")


def test_removing_the_last_item_keeps_what_follows_the_list() -> None:
    out = relist(MEMBERS, ("memberships",), [0], [None])
    assert out.endswith("    role: 成员企业\n\n# 位置\nlocation:\n  lat: 1\n")
    assert "# 这是链主" not in out and "b 联盟" not in out


def test_a_new_item_goes_after_the_last_item_not_after_the_next_comment() -> None:
    out = relist(MEMBERS, ("memberships",), [0, 1, None],
                 [None, None, {"alliance": "c", "role": "成员企业"}])
    assert "    role: 链主\n  - alliance: c\n    role: 成员企业\n\n# 位置\n" in out
    assert yaml.safe_load(out)["memberships"][2] == {"alliance": "c", "role": "成员企业"}


def test_dropping_a_group_keeps_the_comment_of_the_next_key() -> None:
    text = "name: x\nparty_org:\n  type: 党委\n\n# 以下是位置\nlocation:\n  lat: 1\n"
    assert delete_key(text, ("party_org",)) == "name: x\n\n# 以下是位置\nlocation:\n  lat: 1\n"


def test_dropping_the_first_key_of_an_item_keeps_the_dash() -> None:
    text = "chain:\n  - segment: 上游\n    name: 芯片\n"
    out = delete_key(text, ("chain", 0, "segment"))
    assert yaml.safe_load(out) == {"chain": [{"name": "芯片"}]}


def test_multi_line_text_is_a_block_or_quoted_inside_braces() -> None:
    assert set_value("summary:\nname: x\n", ("summary",), "第一段\n第二段") == \
        "summary: |\n  第一段\n  第二段\nname: x\n"
    flow = "mechanisms:\n  - {name: 联席会议, description: 每季度一次}\n"
    out = set_value(flow, ("mechanisms", 0, "description"), "第一段\n第二段")
    assert yaml.safe_load(out)["mechanisms"][0]["description"] == "第一段\n第二段"
    assert out.startswith("mechanisms:\n  - {name: 联席会议, description: ")
