"""Datum conversions against published reference values, both ways, with stated accuracy."""

from __future__ import annotations

import pytest

from site_builder.core import geo

# Reference values published with gcoord's test suite (MIT), point (lat 45, lon 123).
REFERENCE = [
    (geo.wgs84_to_gcj02, (45.00197815, 123.00607541)),
    (geo.wgs84_to_bd09, (45.0083293, 123.0124491)),
    (geo.gcj02_to_wgs84, (44.99804071, 122.99395597)),
    (geo.gcj02_to_bd09, (45.00636899, 123.00636499)),
    (geo.bd09_to_gcj02, (44.99365430, 122.99363304)),
    (geo.bd09_to_wgs84, (44.99171540, 122.98762210)),
]
# The five demo regions: 雨花台, 张家港, 相城, 赣江新区, 松江.
CITIES = [(31.99, 118.77), (31.87, 120.55), (31.40, 120.62), (28.85, 115.86), (31.03, 121.23)]


@pytest.mark.parametrize("convert, expected", REFERENCE,
                         ids=[f.__name__ for f, _ in REFERENCE])
def test_conversion_matches_published_reference(convert, expected) -> None:
    lat, lon = convert(45.0, 123.0)
    assert lat == pytest.approx(expected[0], abs=1e-5)
    assert lon == pytest.approx(expected[1], abs=1e-5)


@pytest.mark.parametrize("point", CITIES)
def test_gcj02_round_trip_is_within_a_centimetre(point) -> None:
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(*point))
    assert geo.distance_m(point, back) < 0.01


@pytest.mark.parametrize("point", CITIES)
def test_bd09_round_trip_is_within_ten_centimetres(point) -> None:
    # BD-09's published inverse is a closed form, good to about 7 cm.
    back = geo.bd09_to_wgs84(*geo.wgs84_to_bd09(*point))
    assert geo.distance_m(point, back) < 0.1


@pytest.mark.parametrize("point", CITIES)
def test_the_gcj02_shift_in_the_demo_regions_is_a_few_hundred_metres(point) -> None:
    shift = geo.distance_m(point, geo.wgs84_to_gcj02(*point))
    assert 300 < shift < 700


def test_points_outside_china_are_not_shifted() -> None:
    assert geo.wgs84_to_gcj02(48.85, 2.35) == (48.85, 2.35)
    assert geo.gcj02_to_wgs84(48.85, 2.35) == (48.85, 2.35)


def test_content_datum_and_provider_datum() -> None:
    p = (31.99, 118.77)
    assert geo.to_wgs84(*p, "wgs84") == p
    assert geo.from_wgs84(*geo.to_wgs84(*geo.wgs84_to_gcj02(*p), "gcj02"), "wgs84") == (
        pytest.approx(p[0], abs=1e-7), pytest.approx(p[1], abs=1e-7))
    assert geo.from_wgs84(*p, "bd09") == geo.wgs84_to_bd09(*p)
