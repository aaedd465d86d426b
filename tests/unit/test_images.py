"""Responsive images: widths, WebP with fallback, hashed names, no huge originals, cache."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from site_builder.render import images
from tests.conftest import build


def jpeg(width: int, height: int, colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


def test_a_large_photo_gets_widths_formats_and_is_never_shipped_whole(make_site) -> None:
    site = make_site({
        "content/media/big.jpg": jpeg(3000, 2000),
        "content/stories/first-story.md": "---\ntitle: T\ndate: 2024-05-20\nsummary: S\n"
                                          "cover: /media/big.jpg\n---\n正文\n",
    })
    result = build(site)
    assert result.ok, result.report.format()
    out = site / "output"
    variants = sorted(p.name.split("-", 1)[1] for p in (out / "img").iterdir())
    assert variants == ["1600.jpg", "1600.webp", "480.jpg", "480.webp", "960.jpg", "960.webp"]
    with Image.open(out / "media/big.jpg") as shipped:
        assert shipped.size == (1600, 1067)  # the original, re-encoded at the largest width
    page = (out / "stories/first-story/index.html").read_text(encoding="utf-8")
    assert '<source type="image/webp" srcset="../../img/' in page
    assert 'width="3000" height="2000"' in page  # intrinsic size: no layout shift
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="story-thumb" loading="lazy"' in home


def test_variant_names_follow_the_content(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg(800, 400, "red"))
    (tmp_path / "b.jpg").write_bytes(jpeg(800, 400, "blue"))
    made = images.process_images(["a.jpg", "b.jpg"], tmp_path, None)
    assert made.infos["a.jpg"].src != made.infos["b.jpg"].src
    assert made.infos["a.jpg"] == images.process_images(["a.jpg"], tmp_path, None).infos["a.jpg"]
    assert "a.jpg" not in made.files  # small originals are published as they are


def test_a_rebuild_reuses_the_image_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    (tmp_path / "a.jpg").write_bytes(jpeg(2000, 1000))
    cache = tmp_path / "cache"
    first = images.process_images(["a.jpg"], tmp_path, cache)

    # A private function replaced, kept on purpose: a re-encoded image has the same bytes,
    # so only this tells that the cache spares the rebuild the encoding (its slowest part
    # for a site with many photos).
    def fail(*args, **kwargs):
        raise AssertionError("re-encoded although cached")

    monkeypatch.setattr(images, "_make", fail)
    second = images.process_images(["a.jpg"], tmp_path, cache)
    assert second == first
