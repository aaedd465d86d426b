"""Diagnostics: formatting in both languages, strictness decided at the end."""

from __future__ import annotations

from site_builder.core.diagnostics import Diagnostic, L, Report, Severity, closest


def test_a_diagnostic_reads_file_line_key_message_and_hint() -> None:
    d = Diagnostic("bad-enum", "enterprises/a.yaml", 4, 11, "memberships[0].role",
                   {"value": "链住", "suggestion": "链主", "allowed": ["链主", "龙头企业"]})
    assert d.format() == (
        "enterprises/a.yaml:4:11  错误  memberships[0].role\n"
        "  “链住”不是可用的取值。\n"
        "  提示：是不是想写“链主”？可用的取值：链主、龙头企业。")
    assert d.format("en").splitlines()[1] == "  '链住' is not an accepted value."


def test_bilingual_arguments_follow_the_language() -> None:
    args = {"name": "x", "expected": L("数字", "a number"), "got": L("文字", "text"),
            "example": ""}
    d = Diagnostic("wrong-type", "a.yaml", 1, 1, "x", args)
    assert d.message() == "“x”应写数字，这里写的是文字。"
    assert d.message("en") == "'x' must be a number, not text."


def test_strict_promotes_warnings_at_the_end() -> None:
    report = Report()
    report.emit("out-of-china", "stations/a.yaml", 3, 1, "location", lat=1, lon=2)
    assert not report.has_errors
    report.strict = True
    assert report.has_errors
    assert report.items[0].level is Severity.ERROR


def test_the_same_problem_reported_twice_is_shown_once() -> None:
    report = Report()
    for _ in range(3):
        report.emit("template-error", "t.html", 2, problem=L("x", "x"))
    assert len(report.items) == 1


def test_closest_suggests_typos_and_contained_names() -> None:
    assert closest("sumary", ["summary", "name"]) == "summary"
    assert closest("shagang", ["shagang-group", "wurun"]) == "shagang-group"
    assert closest("zzz", ["summary"]) is None


def test_every_catalogue_entry_formats_in_both_languages() -> None:
    from site_builder.core.diagnostics import CATALOGUE

    for code in CATALOGUE:
        d = Diagnostic(code, "a.yaml", 1, 1, "k", {})
        for lang in ("zh-CN", "en"):
            assert d.format(lang)  # no stray braces: every template is a valid format
