"""YAML files cannot make the build run out of memory, time or stack (issue #20, item 8)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

from site_builder.core.diagnostics import Report
from site_builder.load.yamllimits import MAX_DEPTH, MAX_EXPANDED
from site_builder.load.yamlpos import parse_yaml


def _parse(text: str, offset: int = 0) -> tuple[object, list[tuple[int | None, int | None,
                                                                  str, str]]]:
    report = Report()
    parsed = parse_yaml(text, "enterprises/x.yaml", report, offset)
    problems = [(d.line, d.col, d.key, d.message()) for d in report.items]
    return (parsed[0] if parsed else None), problems


def billion_laughs() -> str:
    """The repro's 1.5 KB file: nine aliases of nine aliases, nine levels deep."""
    lines = ['name: 公司', 'a0: &a0 ["哈哈哈哈","哈哈哈哈","哈哈哈哈","哈哈哈哈","哈哈哈哈",'
             '"哈哈哈哈","哈哈哈哈","哈哈哈哈","哈哈哈哈"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_the_billion_laughs_file_is_refused_at_once_without_growing() -> None:
    text = billion_laughs()
    assert len(text.encode()) < 1600
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    data, problems = _parse(text)
    assert time.perf_counter() - start < 0.5
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KiB
    assert data is None
    assert problems == [(5, 1, "a3[0][0]",
                         "YAML 别名（*）展开的次数超过 100 次（别名里的别名也算）。")]


def test_few_aliases_of_a_big_list_are_bounded_by_what_they_expand_to() -> None:
    items = ", ".join(str(n) for n in range(4000))
    text = f"name: 公司\nextra:\n  big: &big [{items}]\n  copies: [*big, *big, *big]\n"
    data, problems = _parse(text, offset=2)
    assert data is None
    assert problems == [(6, 3, "extra.copies[2]",
                         f"YAML 别名（*）展开后超过 {MAX_EXPANDED:,} 项。")]


def test_an_alias_inside_its_own_anchor_is_refused_not_a_recursion_error() -> None:
    message = "YAML 别名（*）引用了包含它自己的内容，会无限展开。"
    assert _parse("name: x\nloop: &a [1, *a]\n") == (None, [(2, 1, "loop[1]", message)])
    assert _parse("name: x\nloop: &a {self: *a}\n") == (None, [(2, 11, "loop.self", message)])


def test_a_few_aliases_still_work_as_yaml_says() -> None:
    text = ("name: 公司\ncontact: &c {phone: '0512-1', email: a@b.cn}\n"
            "extra:\n  again: *c\n  list: [*c, *c]\n  word: &w 你好\n  same: *w\n")
    data, problems = _parse(text)
    assert problems == []
    assert data == {"name": "公司", "contact": {"phone": "0512-1", "email": "a@b.cn"},
                    "extra": {"again": {"phone": "0512-1", "email": "a@b.cn"},
                              "list": [{"phone": "0512-1", "email": "a@b.cn"}] * 2,
                              "word": "你好", "same": "你好"}}


def test_nesting_deeper_than_the_bound_is_refused_at_its_line() -> None:
    text = "name: x\nextra:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(60))
    data, problems = _parse(text)
    assert data is None
    ((line, col, key, message),) = problems
    assert message == f"YAML 嵌套超过 {MAX_DEPTH} 层。"
    assert (line, col) == (3 + MAX_DEPTH - 1, 2 * MAX_DEPTH + 1)
    assert len(key.split(".")) == MAX_DEPTH  # the 51st mapping: the root is the first


def test_a_hundred_thousand_nested_brackets_are_refused_not_a_crash() -> None:
    # libyaml's composer recurses in C: this crashed the interpreter (no message at all),
    # so it runs in a process of its own.
    code = ("from site_builder.core.diagnostics import Report\n"
            "from site_builder.load.yamlpos import parse_yaml\n"
            "r = Report()\n"
            "print(parse_yaml('x: ' + '[' * 100000 + ']' * 100000, 'e.yaml', r))\n"
            "print(r.format())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:3] == [
        "None", "e.yaml:1:53  错误", f"  YAML 嵌套超过 {MAX_DEPTH} 层。"]
