"""What staff type, paste and drop on the workbench's forms: dates, positions, images."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from site_builder.core.diagnostics import Report
from site_builder.core.geo import distance_m, gcj02_to_bd09, wgs84_to_gcj02
from site_builder.load.media import MAX_ASSET_BYTES, check_media
from site_builder.workbench.coordinates import (
    SOURCES,
    PositionError,
    content_datum,
    convert,
    parse_position,
)
from site_builder.workbench.typed_dates import TypedDateError, display_date, parse_typed_date
from site_builder.workbench.uploads import MAX_SIDE, UploadError, store_image

# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("typed, stored", [
    ("2024-03-05", "2024-03-05"),
    ("2024-3-5", "2024-03-05"),
    ("2024/3/5", "2024-03-05"),
    ("2024.3.5", "2024-03-05"),
    ("2024年3月5日", "2024-03-05"),
    ("2024年3月5号", "2024-03-05"),
    ("2024 年 3 月 5 日", "2024-03-05"),
    ("2024年3月", "2024-03"),
    ("2024年", "2024"),
    ("2024", "2024"),
    ("2024-03", "2024-03"),
    ("2024.03", "2024-03"),
    ("２０２４－０３－０５", "2024-03-05"),
    ("２０２４年３月５日", "2024-03-05"),
    ("２０２４／３／５", "2024-03-05"),
    ("  2024-03-05\u3000", "2024-03-05"),
    ("20240305", "2024-03-05"),
    ("2024-02-29", "2024-02-29"),
])
def test_typed_dates_are_stored_at_the_precision_typed(typed: str, stored: str) -> None:
    assert parse_typed_date(typed) == stored


@pytest.mark.parametrize("typed", ["2024-02-30", "2023-02-29", "2024年2月30日", "20240230",
                                   "2024-04-31"])
def test_a_day_that_does_not_exist_is_refused_with_the_month_length(typed: str) -> None:
    with pytest.raises(TypedDateError) as err:
        parse_typed_date(typed)
    assert f"“{typed}”不是一个存在的日期" in err.value.zh
    assert "天" in err.value.zh and "is not a real date" in err.value.en


def test_thirty_february_names_what_was_typed_and_the_last_day() -> None:
    with pytest.raises(TypedDateError) as err:
        parse_typed_date("2024年2月30日")
    assert err.value.zh == ("“2024年2月30日”不是一个存在的日期：2024年2月只有 29 天。"
                            "请检查日子，例如写成 2024-02-29。")
    assert err.value.en == ("'2024年2月30日' is not a real date: February 2024 has 29 days. "
                            "Check the day, e.g. 2024-02-29.")


def test_month_thirteen_is_refused_and_swapped_day_and_month_suggested() -> None:
    with pytest.raises(TypedDateError) as err:
        parse_typed_date("2024-13-01")
    assert "月份 13 不存在" in err.value.zh and "写反" in err.value.zh
    assert "month 13" in err.value.en


@pytest.mark.parametrize("typed", ["", "   ", "下周一", "3/5/2024", "05.03.2024", "24-3-5",
                                   "202403", "2024-3-5-6", "2024年3月5日上午", "二〇二四年",
                                   "2024-03-05T10:00", "2024--03"])
def test_anything_else_is_refused_with_the_accepted_forms(typed: str) -> None:
    with pytest.raises(TypedDateError) as err:
        parse_typed_date(typed)
    assert "请写成 2024-03-05、2024年3月5日 或 2024年3月" in err.value.zh
    assert "2024-03-05" in err.value.en
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize("typed", ["1850", "2150-01-01", "0024年3月"])
def test_a_year_validation_would_refuse_is_refused_here(typed: str) -> None:
    with pytest.raises(TypedDateError) as err:
        parse_typed_date(typed)
    assert "1900 到 2100" in err.value.zh


@pytest.mark.parametrize("loaded, shown", [
    (dt.date(2024, 3, 5), "2024-03-05"),
    (dt.datetime(2024, 3, 5, 10, 30), "2024-03-05"),
    (2021, "2021"),
    ("2023-04", "2023-04"),
    ("2023-4", "2023-04"),
    ("2021年6月", "2021-06"),
    (None, ""),
    ("2024-02-30", "2024-02-30"),  # a hand-edited mistake is shown as written, to correct
])
def test_a_loaded_date_is_shown_in_the_content_format(loaded: object, shown: str) -> None:
    assert display_date(loaded) == shown


_FORMS = [
    lambda y, m, d: f"{y}-{m:02d}-{d:02d}", lambda y, m, d: f"{y}-{m}-{d}",
    lambda y, m, d: f"{y}/{m}/{d}", lambda y, m, d: f"{y}.{m}.{d}",
    lambda y, m, d: f"{y}年{m}月{d}日", lambda y, m, d: f"{y}年{m}月{d}号",
    lambda y, m, d: f"{y}{m:02d}{d:02d}",
    lambda y, m, d: f"{y}年{m}月{d}日".translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)}),
]
_MONTH_FORMS = [lambda y, m: f"{y}-{m:02d}", lambda y, m: f"{y}.{m}", lambda y, m: f"{y}年{m}月",
                lambda y, m: f" {y}/{m} "]


@given(st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), st.sampled_from(_FORMS))
def test_any_day_in_any_accepted_form_round_trips(day: dt.date, form: Callable[[int, int, int], str]
                                                  ) -> None:
    assert parse_typed_date(form(day.year, day.month, day.day)) == day.isoformat()


@given(st.integers(1900, 2100), st.integers(1, 12), st.sampled_from(_MONTH_FORMS))
def test_any_month_in_any_accepted_form_round_trips(year: int, month: int,
                                                    form: Callable[[int, int], str]) -> None:
    assert parse_typed_date(form(year, month)) == f"{year}-{month:02d}"
    assert parse_typed_date(f"{year}年") == parse_typed_date(str(year)) == str(year)


# ---------------------------------------------------------------- positions

WUXI = (31.49, 120.37)
WUXI_DMS = (31 + 34 / 60 + 13 / 3600, 120 + 20 / 60 + 5 / 3600)


@pytest.mark.parametrize("pasted, expected", [
    ("120.37,31.49", WUXI),
    ("120.37, 31.49", WUXI),
    ("120.37，31.49", WUXI),
    ("120.37 31.49", WUXI),
    ("  120.37\t31.49 ", WUXI),
    ("１２０．３７，３１．４９", WUXI),
    ("31.49,120.37", WUXI),  # latitude first, but only one reading fits China
    ("87.62,43.83", (43.83, 87.62)),  # 乌鲁木齐, longitude first though below 90
    ("31°34′13″N 120°20′5″E", WUXI_DMS),
    ("31°34'13\"N 120°20'05\"E", WUXI_DMS),
    ("N31°34'13\" E120°20'05\"", WUXI_DMS),
    ("E120°20'05\" N31°34'13\"", WUXI_DMS),
    ("31°34′13″N120°20′5″E", WUXI_DMS),
    ("31度34分13秒 120度20分5秒", WUXI_DMS),
    ("北纬31度34分13秒，东经120度20分5秒", WUXI_DMS),
    ("北纬31°34′13″ 东经120°20′5″", WUXI_DMS),
    ("北纬31.49 东经120.37", WUXI),
    ("东经120.37，北纬31.49", WUXI),
    ("纬度：31.49 经度：120.37", WUXI),
    ("31.49N, 120.37E", WUXI),
    ("lat 31.49, lng 120.37", WUXI),
    ("33.87S 151.21E", (-33.87, 151.21)),
])
def test_pasted_positions_are_read_as_lat_lon(pasted: str, expected: tuple[float, float]
                                              ) -> None:
    lat, lon = parse_position(pasted)
    assert lat == pytest.approx(expected[0], abs=1e-9)
    assert lon == pytest.approx(expected[1], abs=1e-9)


def test_reading_never_converts_whatever_the_source() -> None:
    assert {parse_position("120.37,31.49", source) for source in (*SOURCES, "auto")} == {WUXI}


@pytest.mark.parametrize("pasted", ["31.49,40.2", "10,20", "-33.9 151.2"])
def test_a_bare_pair_that_fits_china_neither_way_asks_which_is_longitude(pasted: str) -> None:
    with pytest.raises(PositionError) as err:
        parse_position(pasted)
    assert err.value.zh.startswith(f"“{pasted}”看不出哪一个是经度")
    assert "请从高德或百度地图复制“经度,纬度”，例如 120.37,31.49" in err.value.zh
    assert "Cannot tell which number" in err.value.en


@pytest.mark.parametrize("pasted, word", [
    ("120,200", "纬度 200 超出了范围"),
    ("95,95", "纬度 95 超出了范围"),
    ("N31 E200", "经度 200 超出了范围"),
    ("S95 E120", "纬度 -95 超出了范围"),
    ("31°61′ 120°20′", "分和秒要小于 60"),
    ("31°34′75″ 120°20′", "分和秒要小于 60"),
    ("N31 N120", "两个数都标成了纬度"),
    ("31度34分13秒", "只有一个数"),
    ("120.37", "只有一个数"),
    ("", "没有填写位置"),
    ("abc", "看不出是一对经纬度"),
    ("1,2,3", "看不出是一对经纬度"),
    ("120.3731.49", "看不出是一对经纬度"),
    ("https://map.baidu.com/@13399,3663", "看不出是一对经纬度"),
])
def test_what_is_not_a_position_is_refused_with_cause_and_fix(pasted: str, word: str) -> None:
    with pytest.raises(PositionError) as err:
        parse_position(pasted)
    assert word in err.value.zh
    assert "120.37,31.49" in err.value.zh and "120.37,31.49" in err.value.en


def test_an_unknown_source_is_a_programming_error_not_a_staff_one() -> None:
    with pytest.raises(ValueError) as err:
        parse_position("120.37,31.49", "google")
    assert not isinstance(err.value, PositionError)


def _dms(value: float, pos: str, neg: str) -> str:
    letter = pos if value >= 0 else neg
    seconds = round(abs(value) * 3600, 2)
    d, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(d)}°{int(m)}′{s:.2f}″{letter}"


@given(st.floats(18.0, 53.5), st.floats(73.5, 135.0),
       st.sampled_from(["{lon},{lat}", "{lon}, {lat}", "{lon}，{lat}", "{lon} {lat}",
                        "{dlat} {dlon}", "{dlon} {dlat}", "{dlat},{dlon}"]))
def test_any_place_in_china_pasted_lon_first_or_in_dms_reads_back(lat: float, lon: float,
                                                                   form: str) -> None:
    text = form.format(lat=round(lat, 6), lon=round(lon, 6),
                       dlat=_dms(lat, "N", "S"), dlon=_dms(lon, "E", "W"))
    got = parse_position(text)
    assert got[0] == pytest.approx(lat, abs=1e-4) and got[1] == pytest.approx(lon, abs=1e-4)


def test_sources_offer_the_datums_maps_in_china_use() -> None:
    assert SOURCES["gaode"] == ("gcj02", "高德地图、腾讯地图")
    assert SOURCES["baidu"] == ("bd09", "百度地图")
    assert SOURCES["gps"][0] == "wgs84"
    assert {datum for datum, _ in SOURCES.values()} == {"wgs84", "gcj02", "bd09"}
    # What a content file may say in location.coord_system; 百度 is stored as gcj02.
    assert [content_datum(k) for k in SOURCES] == ["gcj02", "gcj02", "wgs84"]


def test_converting_to_the_same_datum_changes_nothing() -> None:
    assert convert(31.123456789, 120.987654321, "gcj02", "gcj02") == (31.123456789, 120.987654321)
    assert convert(31.5, 120.3, "baidu", "bd09") == (31.5, 120.3)


@pytest.mark.parametrize("source, target", [
    ("wgs84", "gcj02"), ("wgs84", "bd09"), ("gcj02", "wgs84"), ("gcj02", "bd09"),
    ("bd09", "wgs84"), ("bd09", "gcj02"),
])
def test_conversions_agree_with_core_geo_and_are_rounded(source: str, target: str) -> None:
    wgs = (31.49, 120.37)
    known = {"wgs84": wgs, "gcj02": wgs84_to_gcj02(*wgs), "bd09": gcj02_to_bd09(
        *wgs84_to_gcj02(*wgs))}
    got = convert(*known[source], source, target)
    assert distance_m(got, known[target]) < 0.2  # BD-09's closed-form inverse: centimetres
    assert all(round(v, 6) == v for v in got)


def test_gaode_offset_is_hundreds_of_metres_so_the_choice_matters() -> None:
    gcj = convert(*WUXI, "gps", "gaode")
    assert 300 < distance_m(WUXI, gcj) < 800


# ---------------------------------------------------------------- images


@pytest.fixture
def content(tmp_path: Path) -> Path:
    (tmp_path / "content" / "media").mkdir(parents=True)
    (tmp_path / "content" / "alliances" / "wuxi-iot").mkdir(parents=True)
    return tmp_path / "content"


def _image(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB",
           **save: object) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 1).save(buf, fmt, **save)
    return buf.getvalue()


def _phone_photo() -> bytes:
    """A 5000×3000 JPEG taken sideways (orientation 6) with GPS, as a phone writes it."""
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "Apple"
    exif[0x8825] = {1: "N", 2: (31.0, 34.0, 13.0), 3: "E", 4: (120.0, 20.0, 5.0)}
    image = Image.new("RGB", (5000, 3000), (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, 2500, 3000))  # left half blue: shows the rotation
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif, comment=b"Wuxi office", quality=95)
    return buf.getvalue()


def _published(path: Path, content: Path) -> list[str]:
    """The codes the build's own media check reports for a stored file."""
    report = Report()
    check_media(path.relative_to(content).as_posix(), path, report)
    return [d.code for d in report.items]


def test_a_phone_photo_is_turned_upright_shrunk_and_stripped_of_its_location(
        content: Path) -> None:
    stored = store_image(_phone_photo(), "IMG_2034.JPG", content / "media", content)
    assert stored.path == content / "media" / "img-2034.jpg"
    assert stored.reference == "/media/img-2034.jpg"
    assert max(stored.width, stored.height) == MAX_SIDE
    with Image.open(stored.path) as out:
        assert out.format == "JPEG"
        assert out.size == (stored.width, stored.height) == (2400, 4000)  # upright, ≤ 4000
        assert not out.getexif() and "exif" not in out.info and "comment" not in out.info
        # Orientation 6 turns the picture right: the blue left half is now on top.
        assert out.getpixel((1200, 500))[2] > 150 and out.getpixel((1200, 3500))[0] > 150
    raw = stored.path.read_bytes()
    assert b"Exif" not in raw and b"Apple" not in raw and b"Wuxi office" not in raw
    assert _published(stored.path, content) == []


def test_a_small_clean_image_is_stored_byte_for_byte(content: Path) -> None:
    data = _image("PNG")
    stored = store_image(data, "Logo.PNG", content / "media", content)
    assert stored.path.read_bytes() == data
    assert (stored.reference, stored.width, stored.height) == ("/media/logo.png", 64, 48)
    assert oct(stored.path.stat().st_mode & 0o777) == oct(0o644)


@pytest.mark.parametrize("fmt, suffix", [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"),
                                         ("GIF", ".gif")])
def test_each_web_format_keeps_its_format_and_passes_the_build(content: Path, fmt: str,
                                                               suffix: str) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 34.0, 13.0)}
    data = _image(fmt, exif=exif) if fmt != "GIF" else _image(fmt, comment=b"where")
    # A misleading name: the content decides the format and the extension.
    stored = store_image(data, "照片.jpeg", content / "media", content)
    assert stored.path.name == "zhaopian" + suffix
    with Image.open(stored.path) as out:
        assert out.format == fmt and not out.getexif() and "comment" not in out.info
    assert _published(stored.path, content) == []


def test_a_large_png_is_downsized_keeping_its_aspect_and_alpha(content: Path) -> None:
    data = _image("PNG", (6000, 1500), "RGBA")
    stored = store_image(data, "banner.png", content / "media", content)
    assert (stored.width, stored.height) == (4000, 1000)
    with Image.open(stored.path) as out:
        assert out.format == "PNG" and out.mode == "RGBA"
    assert _published(stored.path, content) == []


def test_an_image_in_an_alliance_folder_is_referred_to_by_its_bare_name(content: Path) -> None:
    folder = content / "alliances" / "wuxi-iot"
    stored = store_image(_image("JPEG"), "C:\\Users\\王\\封面 图.jpg", folder, content)
    assert stored.reference == "fengmian-tu.jpg" == stored.path.name
    assert stored.path.parent == folder
    assert _published(stored.path, content) == []


def test_a_different_file_of_the_same_name_gets_a_number_and_the_same_one_is_reused(
        content: Path) -> None:
    first = store_image(_image("PNG"), "logo.png", content / "media", content)
    second = store_image(_image("PNG", (30, 30)), "logo.png", content / "media", content)
    third = store_image(_image("PNG", (31, 30)), "LOGO.png", content / "media", content)
    again = store_image(_image("PNG", (30, 30)), "logo.png", content / "media", content)
    assert [p.path.name for p in (first, second, third, again)] == [
        "logo.png", "logo-2.png", "logo-3.png", "logo-2.png"]
    assert sorted(p.name for p in (content / "media").iterdir()) == [
        "logo-2.png", "logo-3.png", "logo.png"]  # no temporary file left behind


def test_the_same_phone_photo_twice_is_stored_once(content: Path) -> None:
    photo = _phone_photo()
    a = store_image(photo, "IMG_2034.JPG", content / "media", content)
    b = store_image(photo, "IMG_2034.JPG", content / "media", content)
    assert a.path == b.path and len(list((content / "media").iterdir())) == 1


def test_a_heic_photo_is_refused_with_the_iphone_setting(content: Path) -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    with pytest.raises(UploadError) as err:
        store_image(heic, "IMG_2034.HEIC", content / "media", content)
    assert err.value.zh == (
        "“IMG_2034.HEIC”是 HEIC 格式的照片（苹果手机默认格式），网页上显示不了。"
        "请在手机“设置→相机→格式”里选“兼容性最佳”，或用图片软件另存为 .jpg 再上传。")
    assert "Most Compatible" in err.value.en
    assert list((content / "media").iterdir()) == []


def test_a_heic_renamed_jpg_is_still_refused(content: Path) -> None:
    heic = b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heicmiaf" + b"\x00" * 200
    with pytest.raises(UploadError, match="HEIC"):
        store_image(heic, "photo.jpg", content / "media", content)


def test_an_avif_is_refused(content: Path) -> None:
    avif = b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf" + b"\x00" * 200
    with pytest.raises(UploadError, match="AVIF"):
        store_image(avif, "a.avif", content / "media", content)


@pytest.mark.parametrize("fmt", ["TIFF", "BMP", "ICO", "PPM"])
def test_formats_pages_cannot_show_are_named_and_refused(content: Path, fmt: str) -> None:
    with pytest.raises(UploadError) as err:
        store_image(_image(fmt), "scan.jpg", content / "media", content)
    assert f"是 {fmt} 格式的图片，网页上显示不了" in err.value.zh
    assert "另存为 .jpg 或 .png" in err.value.zh


@pytest.mark.parametrize("data", [b"<html><script>alert(1)</script></html>",
                                  "会议纪要".encode(), b"", b"\xff\xd8\xff\xe0 broken"])
def test_text_renamed_jpg_and_broken_files_are_refused(content: Path, data: bytes) -> None:
    with pytest.raises(UploadError) as err:
        store_image(data, "photo.jpg", content / "media", content)
    assert "不是图片" in err.value.zh and "not an image" in err.value.en
    assert list((content / "media").iterdir()) == []


def test_a_file_over_the_build_limit_is_refused_before_decoding(content: Path) -> None:
    with pytest.raises(UploadError) as err:
        store_image(b"\xff\xd8\xff" + b"\x00" * MAX_ASSET_BYTES, "big.jpg", content / "media",
                    content)
    assert "超过了网站能发布的 30 MB" in err.value.zh


def test_an_image_with_too_many_pixels_is_refused_from_its_header(content: Path) -> None:
    # 8000×6000 = 48 MP, over the build's 40 MP, in a few hundred bytes of PNG.
    data = _image("PNG", (8000, 6000), "1")
    with pytest.raises(UploadError) as err:
        store_image(data, "huge.png", content / "media", content)
    assert "8000×6000" in err.value.zh and "百万像素" in err.value.zh


def test_a_big_animation_is_refused_rather_than_flattened(content: Path) -> None:
    frames = [Image.new("RGB", (4200, 10), (i * 80, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(UploadError, match="动图"):
        store_image(buf.getvalue(), "anim.gif", content / "media", content)


def test_a_small_animation_is_kept_as_it_is(content: Path) -> None:
    frames = [Image.new("RGB", (40, 10), (i * 80, 0, 0)) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], loop=0, duration=100)
    stored = store_image(buf.getvalue(), "anim.gif", content / "media", content)
    assert stored.path.read_bytes() == buf.getvalue()


def test_a_folder_linked_out_of_content_is_refused(content: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, content / "media" / "linked")
    with pytest.raises(UploadError) as err:
        store_image(_image("PNG"), "logo.png", content / "media" / "linked", content)
    assert "外面" in err.value.zh
    with pytest.raises(UploadError):
        store_image(_image("PNG"), "logo.png", content / ".." / "elsewhere", content)
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize("folder", [".", "stories", "alliances"])
def test_folders_content_files_cannot_refer_to_are_refused(content: Path, folder: str) -> None:
    with pytest.raises(UploadError, match="content/media/"):
        store_image(_image("PNG"), "logo.png", content / folder, content)


def test_a_missing_media_subfolder_is_created(content: Path) -> None:
    stored = store_image(_image("PNG"), "logo.png", content / "media" / "logos", content)
    assert stored.reference == "/media/logos/logo.png"
    assert _published(stored.path, content) == []


def test_a_failed_write_leaves_no_partial_file(content: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        store_image(_image("PNG"), "logo.png", content / "media", content)
    assert list((content / "media").iterdir()) == []


_XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
        b'exif:GPSLatitude="31,34.2N"/></rdf:RDF></x:xmpmeta>')


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_location_in_xmp_is_removed_too(content: Path, fmt: str) -> None:
    stored = store_image(_image(fmt, xmp=_XMP), "map.png", content / "media", content)
    raw = stored.path.read_bytes()
    assert b"GPSLatitude" not in raw and b"xmpmeta" not in raw
    assert _published(stored.path, content) == []


def test_png_text_chunks_are_removed_and_the_palette_kept(content: Path) -> None:
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "拍摄于无锡市新吴区")
    image = Image.new("P", (20, 20), 3)
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    image.putpixel((1, 1), 1)
    buf = io.BytesIO()
    image.save(buf, "PNG", pnginfo=text, transparency=3)
    stored = store_image(buf.getvalue(), "icon.png", content / "media", content)
    assert "无锡".encode() not in stored.path.read_bytes()
    with Image.open(stored.path) as out:
        rgba = out.convert("RGBA")
        assert out.mode == "P" and rgba.getpixel((0, 0))[3] == 0
        assert rgba.getpixel((1, 1)) == (255, 0, 0, 255)
        assert "Comment" not in out.info


def test_a_phones_mpo_picture_is_stored_as_a_plain_jpeg(content: Path) -> None:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 34.0, 13.0)}
    frames = [Image.new("RGB", (64, 48), (200, 30, 30)), Image.new("RGB", (64, 48), (0, 0, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, "MPO", save_all=True, append_images=frames[1:], exif=exif)
    stored = store_image(buf.getvalue(), "DSC_0001.MPO", content / "media", content)
    assert stored.path.name == "dsc-0001.jpg"
    with Image.open(stored.path) as out:
        assert out.format == "JPEG" and not out.getexif()
        assert getattr(out, "n_frames", 1) == 1
    assert _published(stored.path, content) == []


def test_a_lossless_webp_stays_lossless(content: Path) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera"
    image = Image.new("RGB", (64, 48))
    image.putpixel((5, 5), (255, 0, 0))
    buf = io.BytesIO()
    image.save(buf, "WEBP", lossless=True, exif=exif)
    stored = store_image(buf.getvalue(), "shot.webp", content / "media", content)
    assert b"VP8L" in stored.path.read_bytes() and b"Camera" not in stored.path.read_bytes()
    with Image.open(stored.path) as out:
        assert out.convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_a_truncated_photo_is_refused_not_published_half_grey(content: Path) -> None:
    data = _image("JPEG", (400, 300))
    with pytest.raises(UploadError, match="已损坏"):
        store_image(data[: len(data) // 2], "cut.jpg", content / "media", content)
    assert list((content / "media").iterdir()) == []


def test_a_tiff_too_big_is_told_about_its_format_first(content: Path) -> None:
    with pytest.raises(UploadError, match="TIFF"):
        store_image(_image("TIFF", (8000, 6000), "1"), "scan.tif", content / "media", content)
