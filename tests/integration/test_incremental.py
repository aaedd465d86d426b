"""Memoised builds: after an edit of any kind, a build that reuses the previous pages (from
output/ with the on-disk memo, or from memory in the preview) gives exactly the bytes of a
clean build of the same files, and it really does reuse pages when little changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.build import run
from site_builder.core.config import BuildOptions
from site_builder.core.outputs import Output
from site_builder.incremental.digests import Digests
from site_builder.incremental.pages import PageMemo
from site_builder.incremental.session import Session
from tests.conftest import REPO, copy_site, tree

STORY = "content/stories/baidu-ai-cloud-move-in.md"
OTHER_STORY = "content/stories/golden-lawyers-science-parks.md"
ENTERPRISE = "content/enterprises/baidu-ai-cloud-jiangxi.yaml"
STATION = "content/stations/chint-smart-port-party-service.yaml"
ALLIANCE = "content/alliances/yuhuatai-software-valley/alliance.yaml"
ALLIANCE_BODY = "content/alliances/yuhuatai-software-valley/index.md"


def replace(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def clean_build(site: Path, tmp: Path, **options: object) -> dict[str, bytes]:
    """Build a fresh copy of `site`: no .cache, no previous output."""
    fresh = tmp / "fresh"
    if fresh.exists():
        shutil.rmtree(fresh)
    copy_site(site, fresh)  # with the site's own templates/ and assets/
    result = run(BuildOptions(site_dir=fresh, **options))  # type: ignore[arg-type]
    assert result.ok, result.report.format()
    return tree(fresh / "output")


def _add_template(site: Path) -> None:
    (site / "templates").mkdir(exist_ok=True)
    text = (REPO / "templates" / "story.html").read_text(encoding="utf-8")
    (site / "templates" / "story.html").write_text(
        text.replace("{% block main %}", "{% block main %}<!-- site override -->", 1),
        encoding="utf-8")


def _add_asset(site: Path) -> None:
    (site / "assets").mkdir(exist_ok=True)
    css = (REPO / "assets" / "site.css").read_text(encoding="utf-8")
    (site / "assets" / "site.css").write_text(css + "\n.x { color: red; }\n", encoding="utf-8")


def _new_story(site: Path) -> None:
    text = (site / STORY).read_text(encoding="utf-8")
    (site / "content/stories/new-story.md").write_text(
        text.replace("400余人", "新案例：400余人", 1).replace("date: 2025-12-11",
                                                        "date: 2026-01-05", 1),
        encoding="utf-8")


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """Replace owner.name by a wrapper that appends to the returned list on each call."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


# Each edit is one thing an editor (or a developer) does between two builds.
EDITS: dict[str, Callable[[Path], None]] = {
    "story body": lambda s: replace(s, STORY, "它落户儒乐湖新城时", "它落户儒乐湖新城的时候"),
    "story title": lambda s: replace(s, STORY, "title: 400余人", "title: 四百余人"),
    "story summary": lambda s: replace(s, STORY, "新区送上人才公寓", "新区很快送上人才公寓"),
    "story tags": lambda s: replace(s, STORY, "tags: [营商环境, 链主带动, 三张清单]",
                                    "tags: [营商环境, 人才服务]"),
    "story new tag": lambda s: replace(s, STORY, "tags: [营商环境,", "tags: [全新标签, 营商环境,"),
    "story date": lambda s: replace(s, STORY, "date: 2025-12-11", "date: 2021-01-02"),
    "story alliance": lambda s: replace(s, OTHER_STORY, "alliances: [",
                                        "alliances: [ganjiang-digital-economy, "),
    "story draft": lambda s: replace(s, STORY, "date: 2025-12-11", "draft: true\ndate: 2025-12-11"),
    "story added": _new_story,
    "story removed": lambda s: (s / OTHER_STORY).unlink(),
    "enterprise name": lambda s: replace(s, ENTERPRISE, "name: ", "name: 新"),
    "station hours": lambda s: replace(s, STATION, "hours: 工作日 9:00—17:30",
                                       "hours: 工作日 8:30—17:30"),
    "station moved": lambda s: replace(s, STATION, "lat: 31.053", "lat: 31.061"),
    "alliance short name": lambda s: replace(s, ALLIANCE, "short_name: ", "short_name: 新"),
    "alliance body": lambda s: replace(s, ALLIANCE_BODY, "\n\n", "\n\n补充一句话。\n\n"),
    "site title": lambda s: replace(s, "content/site.yaml", "title: ", "title: 新"),
    # Every page's masthead links the pages of the navigation (rendered once, reused).
    "navigation page title": lambda s: replace(s, "content/pages/about.md", "title: 关于本站",
                                               "title: 关于本平台"),
    "page out of the navigation": lambda s: replace(s, "content/pages/contact.md",
                                                    "nav_weight: 20\n", ""),
    "template": _add_template,
    "asset": _add_asset,
}


@pytest.fixture(autouse=True)
def verify_reuse(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a rebuild takes the pages' fingerprints and the digests of terms and model
    indexes from the memo (no record's data changed), make them afresh too and fail if
    any differs: every edit below checks that claim of render_site."""
    from site_builder.incremental.digests import Digests
    from site_builder.render import site

    real = site._plan_reuse

    def checked(job, renderer, tasks):  # type: ignore[no-untyped-def]
        reuse = real(job, renderer, tasks)
        if job.store is not None and reuse.known and job.same_tasks:
            made = [renderer.fingerprint(t) for t in tasks]
            assert reuse.fingerprints == made, "same tasks, but a fingerprint changed"
            fresh = Digests(job.model, renderer.md.find, None, reuse.signatures, False)
            memo = job.store.memo
            assert reuse.digests.table_now(memo) == fresh.table_now(memo), \
                "same data, but a digest changed"
        return reuse

    monkeypatch.setattr(site, "_plan_reuse", checked)


@pytest.fixture(scope="module")
def base_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site(REPO, tmp_path_factory.mktemp("base") / "demo")


@pytest.fixture
def built_site(base_site: Path, tmp_path: Path) -> Path:
    """A copy of the demo, built once: its output/ and .cache/ are the previous build."""
    site = tmp_path / "site"
    shutil.copytree(base_site, site)
    assert run(BuildOptions(site_dir=site)).ok
    return site


@pytest.mark.parametrize("edit", list(EDITS))
def test_rebuild_after_edit_matches_clean_build(edit: str, base_site: Path,
                                                tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(base_site, site)
    first = run(BuildOptions(site_dir=site))
    assert first.ok
    assert (site / ".cache" / "pages.marshal").is_file()
    EDITS[edit](site)
    # Two jobs, as the command line on two cores: the rebuild's stamp checks are made
    # ahead in another process (lookahead.py).
    second = run(BuildOptions(site_dir=site, jobs=2))
    assert second.ok, second.report.format()
    assert tree(site / "output") == clean_build(site, tmp_path)
    # A warm build with nothing changed renders nothing and changes nothing.
    before = tree(site / "output")
    third = run(BuildOptions(site_dir=site, jobs=2))
    assert third.timings.get("render") is not None
    assert tree(site / "output") == before


def test_edits_and_their_reverts_in_a_row_match_clean_builds(built_site: Path,
                                                             tmp_path: Path) -> None:
    """Digests of unchanged records are carried from build to build: a record edited, then
    put back as it was, must still bring back the pages of the first version."""
    original = tree(built_site / "output")
    story = (built_site / STORY).read_text(encoding="utf-8")
    enterprise = (built_site / ENTERPRISE).read_text(encoding="utf-8")
    steps: list[Callable[[Path], None]] = [
        EDITS["story body"],
        lambda s: (s / STORY).write_text(story, encoding="utf-8"),  # reverted
        EDITS["enterprise name"],
        EDITS["story draft"],  # who is published changes: nothing carried
        lambda s: (s / STORY).write_text(story, encoding="utf-8"),
        lambda s: (s / ENTERPRISE).write_text(enterprise, encoding="utf-8"),
    ]
    for step in steps:
        step(built_site)
        result = run(BuildOptions(site_dir=built_site))
        assert result.ok and result.model is not None
        assert tree(built_site / "output") == clean_build(built_site, tmp_path)
        # What the next build may carry is what a fresh look at the model gives.
        memo = PageMemo.load(built_site / ".cache" / "pages.marshal")
        fresh = Digests(result.model, lambda target: None)
        records = [(k, d) for k, d in zip(memo.keys, memo.digests, strict=True)
                   if k[0] in ("i", "f")]
        assert records and all(fresh.of(k) == d for k, d in records)
    assert tree(built_site / "output") == original


def test_warm_rebuild_reuses_pages_and_renders_what_changed(scratch_demo: Path) -> None:
    assert run(BuildOptions(site_dir=scratch_demo)).ok
    EDITS["story body"](scratch_demo)
    result = run(BuildOptions(site_dir=scratch_demo))
    assert result.ok and result.written is not None
    # Only the story page itself shows its body: one page written, the rest linked.
    pages = [o for o in result.outputs if o.path.endswith(".html")]
    reused = [o for o in pages if o.origin is not None]
    assert len(reused) == len(pages) - 1, [o.path for o in pages if o.origin is None]


def test_preview_memory_reuse_matches_clean_build(base_site: Path, tmp_path: Path) -> None:
    """The preview server's in-memory memo: several edits in a row, each exact."""
    site = tmp_path / "site"
    shutil.copytree(base_site, site)
    cache = Session()
    options = BuildOptions(site_dir=site)
    kept: list[Output] = []

    def memory(outputs: list[Output]) -> None:
        kept.clear()
        kept.extend(outputs)

    assert run(options, session=cache, writer=memory).ok
    for edit in ("story title", "enterprise name", "station hours", "story tags",
                 "template"):
        EDITS[edit](site)
        result = run(options, session=cache, writer=memory)
        assert result.ok
        # A template change re-renders every page; a content edit only a few.
        assert (cache.pages.reused == 0) == (edit == "template"), edit
        got = {o.path: o.data for o in kept}
        assert got == clean_build(site, tmp_path), edit


@pytest.mark.parametrize("jobs", [1, 2])  # with 2, the stamps are checked ahead
def test_output_edited_by_hand_is_rendered_again(scratch_demo: Path, jobs: int) -> None:
    assert run(BuildOptions(site_dir=scratch_demo)).ok
    output = scratch_demo / "output"
    before = tree(output)
    index = sorted((output / "search-index").rglob("*.json"))
    assert len(index) > 10
    edited = [output / "stories" / "index.html", index[0], index[-1]]
    for path in edited:
        path.write_bytes(b"tampered")
    (output / "about.html").write_bytes(b"a stray file")
    assert run(BuildOptions(site_dir=scratch_demo, jobs=jobs)).ok
    assert tree(output) == before


def test_pages_with_warnings_warn_on_every_build(scratch_demo: Path) -> None:
    draft = "/stories/ganjiang-brain-computer-interface/"  # a draft: linking it warns
    replace(scratch_demo, STORY, "它落户儒乐湖新城时", f"它落户[儒乐湖]({draft})新城时")
    for _ in range(2):
        result = run(BuildOptions(site_dir=scratch_demo))
        assert result.ok
        assert [d.code for d in result.report.warnings] == ["draft-link"]


def test_a_damaged_cache_is_ignored_not_trusted(built_site: Path, tmp_path: Path) -> None:
    site = built_site
    memos = sorted((site / ".cache").glob("*.marshal"))
    # Only texts with links are kept in the Markdown memo (the others take the shortcut):
    # some of its 16 shards, not all, hold one.
    markdown = [p.name for p in memos if p.name.startswith("markdown-")]
    assert markdown and set(markdown) <= {f"markdown-{k:02}.marshal" for k in range(16)}
    assert [p.name for p in memos if not p.name.startswith("markdown-")] == [
        "glossary.marshal", "manifest.marshal", "memos.marshal", "pages.marshal", "pinyin.marshal",
        "related.marshal", "search.marshal"] + [f"sources-{k:02}.marshal" for k in range(16)] + [
        f"validated-{k:02}.marshal" for k in range(16)]
    for path in memos:
        path.write_bytes(b"\x00garbage" + path.read_bytes()[:100])
    EDITS["story title"](site)
    result = run(BuildOptions(site_dir=site))
    assert result.ok, result.report.format()
    assert tree(site / "output") == clean_build(site, tmp_path)


def test_check_leaves_no_cache(scratch_demo: Path) -> None:
    assert run(BuildOptions(site_dir=scratch_demo), write=False).ok
    assert not (scratch_demo / ".cache").exists()


def test_template_change_reuses_markdown_from_the_cache(built_site: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    site = built_site
    _add_template(site)
    import markdown as md

    converted = count_calls(monkeypatch, md.Markdown, "convert")
    assert run(BuildOptions(site_dir=site)).ok
    # Every page rendered again, no Markdown converted again. A call count, kept on purpose:
    # README promises Markdown output is kept between rebuilds, a promise only time shows
    # otherwise; the comparison with a clean build below is what guards the bytes.
    assert converted == []
    assert tree(site / "output") == clean_build(site, tmp_path)


def test_parallel_builds_keep_the_memo_and_match_a_serial_clean_build(
        base_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.render.workers as render

    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 1)  # the demo is below the threshold
    site = tmp_path / "site"
    shutil.copytree(base_site, site)
    assert run(BuildOptions(site_dir=site, jobs=2)).ok
    # The workers' Markdown came back to the parent and was saved with the rest.
    from site_builder.render.markdown import MarkdownMemo

    memo = MarkdownMemo(site / ".cache" / "markdown.marshal")
    memo.load_all()
    # (Texts with links only: the others take the shortcut and are not kept.)
    assert memo.get("nothing") is None and len(memo) > 10
    # The first build (its workers wrote the pages) left a twin of the output as the
    # spare, file for file the same inodes: the rebuild starts from it without a copy.
    output, spare = site / "output", site / ".output.spare"
    files = [p.relative_to(output) for p in output.rglob("*") if p.is_file()]
    assert len(files) > 400 and sorted(files) == sorted(
        p.relative_to(spare) for p in spare.rglob("*") if p.is_file())
    assert all((output / f).stat().st_ino == (spare / f).stat().st_ino for f in files)
    import site_builder.write.writer as writer

    # A private function replaced, kept on purpose: the only guard that the rebuild starts
    # from the twin (a copy of output/ cost 0.75-2.4 s at 300 alliances) and the same
    # bytes come out either way; the comparison with a clean build below guards the bytes.
    def no_copy(*args: object) -> None:
        raise AssertionError("the rebuild copied output/")

    monkeypatch.setattr(writer, "_copy_linked", no_copy)
    EDITS["enterprise name"](site)
    result = run(BuildOptions(site_dir=site, jobs=2))
    assert result.ok
    pages = [o for o in result.outputs if o.path.endswith(".html")]
    assert 0 < sum(o.origin is None for o in pages) < len(pages) // 2
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 10**9)
    assert tree(site / "output") == clean_build(site, tmp_path)


def test_search_index_is_updated_not_remade_and_stays_exact(
        built_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.search.index as search
    import site_builder.search.update as update

    site = built_site
    # Call counts, kept on purpose: README promises the index is updated in place, not
    # remade, and reads only the pages rendered again; a remade index has the same bytes,
    # so only these counts tell. What the writer rewrote and the comparison with a clean
    # build are the behaviour checked alongside.
    runs = count_calls(monkeypatch, update, "index_pages")  # where the update calls it

    def written(**options: bool) -> list[str]:
        result = run(BuildOptions(site_dir=site, **options))  # type: ignore[arg-type]
        assert result.ok, result.report.format()
        return [o.path for o in result.outputs
                if o.path.startswith("search-index/") and o.origin is None]

    _add_asset(site)  # every page's <head> changes (the style sheet's ?v=), no <main> does
    assert written() == [] and runs == []
    assert tree(site / "output") == clean_build(site, tmp_path)
    assert runs == [1]  # the clean build indexed its own copy (so the count does count)
    runs.clear()
    # The records of the pages that show the title (the story and its lists), and the
    # shards of the pairs that came or went; nothing else.
    index = site / "output" / "search-index"
    before = {p.name: p.read_bytes() for p in (index / "t").iterdir()}
    EDITS["story title"](site)
    read = count_calls(monkeypatch, search, "make_record")
    new = written(strict=True)  # the link check reads every page: they are still reused
    showing = {f"search-index/r/{p.name}" for p in (index / "r").iterdir()
               if "四百余人" in json.loads(p.read_bytes())["text"]}
    assert runs == [] and showing and {p for p in new if "/r/" in p} == showing
    assert len(read) < len(list((index / "r").iterdir())) / 2  # only rendered pages are read
    changed = {f"search-index/t/{p.name}" for p in (index / "t").iterdir()
               if p.read_bytes() != before[p.name]}
    assert changed and {p for p in new if "/t/" in p} == changed
    assert "search-index/meta.json" not in new
    assert tree(site / "output") == clean_build(site, tmp_path)
    # (An index file edited by hand is rewritten: test_output_edited_by_hand_is_rendered_again.)


@pytest.mark.parametrize(("edit", "fast"), [("story body", True), ("alliance body", False),
                                            ("story title", False), ("story tags", False)])
def test_a_body_edit_takes_the_fingerprints_from_the_memo(
        edit: str, fast: bool, built_site: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.render.pages import SiteRenderer

    monkeypatch.undo()  # no check of the claim: count the fingerprints really made
    EDITS[edit](built_site)
    calls = count_calls(monkeypatch, SiteRenderer, "fingerprint")
    assert run(BuildOptions(site_dir=built_site)).ok
    # A body only: no page's task computed again; any data edit: computed. A call count,
    # kept on purpose: the only guard that the fast path is taken, and only when it may be
    # (SITE_BUILDER_VERIFY_REUSE is off here); the bytes are checked against a clean build.
    assert (calls == []) is fast
    assert tree(built_site / "output") == clean_build(built_site, tmp_path)


def test_a_build_that_failed_after_saving_its_memos_does_not_mislead_the_next(
        built_site: Path, tmp_path: Path) -> None:
    """A failed build has saved what it parsed and validated, not its page memo: the next
    build must not take the failed build's data for the data of the pages it reuses (its
    sitemap, lists and neighbours' links would stay those of the last good build)."""
    original = (built_site / STORY).read_text(encoding="utf-8")
    replace(built_site, STORY, "date: 2025-12-11", "date: 2019-01-01")
    (built_site / STORY).write_text((built_site / STORY).read_text(encoding="utf-8")
                                    + "\n见[联盟](/alliances/no-such-alliance/)。\n",
                                    encoding="utf-8")
    assert not run(BuildOptions(site_dir=built_site)).ok  # the broken link
    # The fix touches the body only, as the edit before it did not.
    text = (built_site / STORY).read_text(encoding="utf-8")
    (built_site / STORY).write_text(text.replace("\n见[联盟](/alliances/no-such-alliance/)。\n",
                                                 ""), encoding="utf-8")
    assert (built_site / STORY).read_text(encoding="utf-8") != original
    assert run(BuildOptions(site_dir=built_site)).ok
    assert tree(built_site / "output") == clean_build(built_site, tmp_path)


def test_a_data_edit_that_only_reorders_keys_is_a_data_edit(built_site: Path,
                                                            tmp_path: Path) -> None:
    """The stations page joins an alliance's region in the order the file gives it."""
    path = built_site / ALLIANCE
    text = path.read_text(encoding="utf-8")
    start = text.index("region:")
    lines = text[start:].splitlines(keepends=True)
    block = [lines[0]] + [ln for ln in lines[1:4] if ln.startswith("  ")]
    assert len(block) == 4, block
    path.write_text(text.replace("".join(block), block[0] + "".join(reversed(block[1:])), 1),
                    encoding="utf-8")
    assert run(BuildOptions(site_dir=built_site)).ok
    assert tree(built_site / "output") == clean_build(built_site, tmp_path)
