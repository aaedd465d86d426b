"""Config: the build's own date, base paths."""

from __future__ import annotations

import datetime as dt

import pytest

from site_builder.core.config import SiteConfig, build_date


def test_today_is_beijing_today_whatever_the_machine_timezone(monkeypatch) -> None:
    # 2026-06-30 16:30 UTC is already 1 July in Beijing.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime(
        2026, 6, 30, 16, 30, tzinfo=dt.UTC).timestamp())))
    monkeypatch.setenv("TZ", "America/New_York")
    assert build_date() == dt.date(2026, 7, 1)


@pytest.mark.parametrize("base, path, absolute", [
    ("https://example.gov.cn/", "/", "https://example.gov.cn/map/"),
    ("https://example.gov.cn/dangjian/", "/dangjian/", "https://example.gov.cn/dangjian/map/"),
])
def test_base_url_sub_path(base: str, path: str, absolute: str) -> None:
    config = SiteConfig(base_url=base)
    assert config.base_path == path
    assert config.absolute("map/") == absolute
