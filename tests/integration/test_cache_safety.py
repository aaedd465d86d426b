"""`.cache/` is never trusted blindly, and two builds of one site never interleave.

Regression tests for issue #20's findings 6 and 7: a flipped bit or a same-length edit in a
memo reached the output; a replaced cached image variant was published forever; a damaged
image meta.json failed every build; two builds at once left stale open data and index files.
"""

from __future__ import annotations

import multiprocessing
import random
import shutil
from pathlib import Path

import pytest

from site_builder.build import run
from site_builder.core import cachefile
from site_builder.core.config import BuildOptions
from site_builder.core.diagnostics import Report
from site_builder.incremental.session import Session
from tests.conftest import REPO, copy_site


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def warm_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once from nothing, so that .cache/ holds every kind of memo."""
    site = copy_site(REPO, tmp_path_factory.mktemp("warm") / "site")
    assert run(BuildOptions(site_dir=site, jobs=1)).ok
    return site


@pytest.fixture(scope="module")
def reference(warm_site: Path) -> dict[str, bytes]:
    """The output of that clean build."""
    return tree(warm_site / "output")


def _damage(data: bytes, rng: random.Random) -> bytes:
    """One of the kinds of damage seen: a flipped bit, a same-length edit, a cut."""
    if not data:
        return b"x"
    kind = rng.choice(("bit", "edit", "cut", "noise"))
    at = rng.randrange(len(data))
    if kind == "bit":
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
    if kind == "edit":  # 链 -> 锁 in UTF-8 is a same-length edit; any byte will do here
        return data[:at] + bytes([(data[at] + 1) % 256]) + data[at + 1:]
    if kind == "cut":
        return data[:at]
    return bytes(rng.randrange(256) for _ in range(len(data)))


def test_random_damage_to_any_cache_file_never_changes_the_output(
        warm_site: Path, reference: dict[str, bytes], tmp_path: Path) -> None:
    rng = random.Random(20)
    files = sorted(p for p in (warm_site / ".cache").rglob("*")
                   if p.is_file() and p.name != "lock")
    families: dict[str, list[Path]] = {}  # sources-07.marshal: "sources"; images by type
    for p in files:
        top = p.parent == warm_site / ".cache"
        family = p.name.split("-")[0].split(".")[0] if top else "image " + p.suffix
        families.setdefault(family, []).append(p)
    assert {"sources", "validated", "markdown", "pages", "memos", "pinyin",
            "related", "search", "image .json", "image .webp"} <= set(families)
    # One file of every family, then more at random: each on a fresh copy of the warm site.
    trials = [rng.choice(found) for _, found in sorted(families.items())]
    trials += [rng.choice(files) for _ in range(2)]
    for n, victim in enumerate(trials):
        site = tmp_path / f"t{n}"
        shutil.copytree(warm_site, site, symlinks=True)
        target = site / victim.relative_to(warm_site)
        target.write_bytes(_damage(target.read_bytes(), rng))
        result = run(BuildOptions(site_dir=site, jobs=1))
        assert result.ok, (victim.name, result.report.format())
        assert tree(site / "output") == reference, f"damaged {victim.name} changed the output"
        shutil.rmtree(site)


def test_a_replaced_cached_image_variant_is_made_again(
        warm_site: Path, reference: dict[str, bytes], tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(warm_site, site, symlinks=True)
    variants = sorted((site / ".cache" / "images").rglob("*.webp"))
    assert variants, "the demo has raster images"
    variants[0].write_bytes(b"RIFF\x00\x00\x00\x00WEBPnot the image we made")
    assert run(BuildOptions(site_dir=site, jobs=1)).ok
    assert tree(site / "output") == reference


def test_a_memo_file_with_a_wrong_digest_reads_as_nothing(tmp_path: Path) -> None:
    path = tmp_path / "memo.marshal"
    cachefile.save(path, (1,), {"产业链": "党建联盟"})
    assert cachefile.load(path, (1,)) == {"产业链": "党建联盟"}
    raw = path.read_bytes()
    # A same-length edit of the body: 链 (e9 93 be) -> 锁 (e9 94 81) is not a valid
    # marshal change, so edit one byte of the stored text instead, keeping the length.
    at = raw.index("链".encode())
    path.write_bytes(raw[:at] + "锁".encode() + raw[at + 3:])
    assert cachefile.load(path, (1,)) is None
    assert cachefile.load(tmp_path / "none.marshal", (1,)) is None
    path.write_bytes(raw[:-1])  # cut short
    assert cachefile.load(path, (1,)) is None


def _build_in_process(site: str, jobs: int, queue: multiprocessing.Queue) -> None:
    result = run(BuildOptions(site_dir=Path(site), jobs=jobs))
    queue.put(result.ok)


def test_two_builds_at_once_take_turns_and_leave_a_clean_site(
        reference: dict[str, bytes], tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    assert run(BuildOptions(site_dir=site, jobs=1)).ok
    # An edit, then two builds of the edited site at the same moment (CI and an editor).
    story = next((site / "content" / "stories").glob("*.md"))
    story.write_text(story.read_text(encoding="utf-8") + "\n又一段文字。\n", encoding="utf-8")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    builds = [ctx.Process(target=_build_in_process, args=(str(site), 2, queue))
              for _ in range(2)]
    for b in builds:
        b.start()
    for b in builds:
        b.join(120)
        assert b.exitcode == 0
    assert [queue.get(timeout=5), queue.get(timeout=5)] == [True, True]
    fresh = copy_site(site, tmp_path / "fresh")
    assert run(BuildOptions(site_dir=fresh, jobs=1)).ok
    assert tree(site / "output") == tree(fresh / "output")
    # and a later build keeps it so; its manifest (digests kept by stamp) is a clean one's
    assert run(BuildOptions(site_dir=site, jobs=2)).ok
    assert tree(site / "output") == tree(fresh / "output")
    assert (site / "output.sha256").read_bytes() == (fresh / "output.sha256").read_bytes()


def test_a_build_that_cannot_get_the_lock_says_so_in_chinese(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    holder = Session.on_disk(site)
    with holder.lock(Report()) as got:
        assert got
        assert (site / ".cache" / "lock").read_text().strip().isdigit()
        second = Session.on_disk(site)
        report = Report()
        with second.lock(report, wait=0.2) as got_too:
            assert not got_too
        (problem,) = report.items
        assert problem.code == "build-locked"
        assert problem.file == ".cache/lock"
        assert "另一个生成过程" in problem.format("zh-CN")
    # released: the next build runs
    with Session.on_disk(site).lock(Report(), wait=0.2) as got:
        assert got
