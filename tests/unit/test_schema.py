"""Validate stage: declarative specs, Chinese enums with aliases, editors' conveniences."""

from __future__ import annotations

import pytest

from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import Report
from site_builder.load.sourcedoc import SourceDoc
from site_builder.load.yamlpos import parse_yaml
from site_builder.validate.schema import validate_doc


def validate(kind: str, text: str, slug: str = "x"):
    report = Report()
    parsed = parse_yaml(text, f"{kind}s/{slug}.yaml", report)
    assert parsed is not None
    data, positions = parsed
    doc = SourceDoc(kind, slug, f"{kind}s/{slug}.yaml", data, positions)
    return validate_doc(doc, report), report


def test_english_aliases_and_bracketed_values_are_accepted() -> None:
    rec, report = validate("enterprise", "name: A\nmemberships:\n"
                           "  - {alliance: a, role: Chain_Owner, segment: 上游（upstream）}\n")
    assert len(report) == 0
    assert rec.data["memberships"][0]["role"] == "链主"
    assert rec.data["memberships"][0]["segment"] == "上游"


def test_a_single_value_is_a_one_item_list() -> None:
    rec, report = validate("story", "title: T\ndate: 2024\nsummary: S\ntags: 人才\n")
    assert len(report) == 0
    assert rec.data["tags"] == ("人才",)


def test_dates_keep_the_precision_written() -> None:
    rec, _ = validate("listing", "kind: 资源\ntitle: T\nalliance: a\nposted: 2023-04\n")
    assert rec.data["posted"] == PartialDate(2023, 4)
    rec, _ = validate("listing", "kind: 资源\ntitle: T\nalliance: a\nposted: 2023年4月5日\n")
    assert rec.data["posted"] == PartialDate(2023, 4, 5)


def test_defaults_are_filled() -> None:
    rec, _ = validate("listing", "kind: 项目\ntitle: T\nalliance: a\nposted: 2023\n")
    assert rec.data["status"] == "征集中"
    assert rec.data["draft"] is False


def test_numbers_written_as_text_are_accepted_in_number_fields() -> None:
    rec, report = validate("alliance", (
        "name: N\nsummary: S\nregion: {province: 江苏省}\nindustries: [A]\n"
        "organization: {type: 其他}\nstats:\n  - {label: L, value: '1,383', as_of: 2022}\n"))
    assert len(report) == 0
    assert rec.data["stats"][0]["value"] == 1383


def test_every_problem_in_a_file_is_reported_at_once() -> None:
    rec, report = validate("station", "name: S\ntype: 站点\nlocation: {lat: 95, lon: 118}\n"
                                      "sumary: x\n")
    assert not rec.ok
    assert sorted(d.code for d in report.items) == [
        "bad-coordinate", "bad-enum-nosuggest", "missing-key", "unknown-key"]


def test_an_empty_optional_key_means_not_given() -> None:
    rec, report = validate("page", "title: T\nsummary:\n")
    assert len(report) == 0
    assert "summary" not in rec.data


def test_base_url_gets_a_trailing_slash() -> None:
    rec, _ = validate("site", "title: T\nbase_url: https://example.gov.cn/dangjian\n", "site")
    assert rec.data["base_url"] == "https://example.gov.cn/dangjian/"


@pytest.mark.parametrize(("phone", "hours", "summary"), [
    ("51234567", "9:00", "no"),  # a bare number, a time, a YAML boolean word
    ("0512345670", "9:30", "1.10"),  # a leading zero (octal to YAML), a float's zero
])
def test_text_fields_keep_what_was_written_not_what_yaml_guessed(
        phone: str, hours: str, summary: str) -> None:
    rec, report = validate("station", "name: S\naddress: A\ntype: 其他\n"
                                      "location: {lat: 31, lon: 118}\n"
                                      f"phone: {phone}\nhours: {hours}\nsummary: {summary}\n")
    assert len(report) == 0
    assert (rec.data["phone"], rec.data["hours"], rec.data["summary"]) == (
        phone, hours, summary)


def test_an_empty_key_with_a_default_takes_the_default() -> None:
    rec, report = validate("listing", "kind: 资源\ntitle: T\nalliance: a\nposted: 2023\n"
                                      "status:\n")
    assert len(report) == 0
    assert rec.data["status"] == "征集中"


def test_an_empty_required_key_is_reported_once() -> None:
    _, report = validate("page", "title:\n")
    assert [d.code for d in report.items] == ["empty-required"]


def test_a_bad_base_url_in_site_yaml_explains_base_url() -> None:
    _, report = validate("site", "title: T\nbase_url: example.gov.cn\n", "site")
    assert [d.code for d in report.items] == ["bad-base-url"]


def test_a_bare_number_read_as_a_one_item_list_keeps_its_text() -> None:
    rec, report = validate("story", "title: T\ndate: 2024\nsummary: S\ntags: 2024\n")
    assert len(report) == 0
    assert rec.data["tags"] == ("2024",)
