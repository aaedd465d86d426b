"""The helper process (site_builder/warmup.py): what it hands a build is what the build would
have made itself, the build really takes it, and a helper that fails changes nothing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from site_builder.build import run
from site_builder.core import pinyin as terms
from site_builder.core.config import BuildOptions
from site_builder.parallel.warmup import Warmup, _Helper
from site_builder.render.theme import TemplateCache, find_theme, theme_environment
from tests.conftest import REPO, SITES, copy_site, tree


def built(site: Path, jobs: int) -> dict[str, bytes]:
    result = run(BuildOptions(site_dir=site, jobs=jobs))
    assert result.ok, result.report.format()
    return tree(site / "output")


@pytest.mark.parametrize("source", ["demo", "english", "own theme"])
def test_a_clean_build_takes_templates_shapes_and_keys_from_the_helper(
        source: str, tmp_path: Path, counted: dict[str, list[str]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"demo": REPO, "english": SITES / "english", "own theme": REPO}[source]
    alone = copy_site(base, tmp_path / "alone")
    helped = copy_site(base, tmp_path / "helped")
    if source == "own theme":  # the site's own template and map stylesheet
        for site in (alone, helped):
            (site / "templates").mkdir()
            story = (REPO / "templates" / "story.html").read_text(encoding="utf-8")
            (site / "templates" / "story.html").write_text(
                story.replace("{% block main %}", "{% block main %}<!-- own -->", 1),
                encoding="utf-8")
            (site / "assets").mkdir()
            (site / "assets" / "map.css").write_text("/* own */\n", encoding="utf-8")
    expected = built(alone, jobs=1)  # one job: no helper
    assert counted["compile"] and counted["shape"]
    for calls in counted.values():
        calls.clear()
    # The parent forgets what the first build read in pinyin (a process memo).
    monkeypatch.setattr(terms, "_SORT_KEYS", {})
    monkeypatch.setattr(terms, "_SLUGS", {})
    monkeypatch.setattr(terms, "_converter", [])
    assert built(helped, jobs=2) == expected
    # This process compiled no template, made no map shape and loaded no pypinyin: the
    # helper did, while it parsed (the demo's pages render here, below the workers' size).
    # Counts of internal calls, kept on purpose: the same bytes come out with or without
    # the helper (compared above), so only these tell that the build takes its work.
    assert counted == {"compile": [], "shape": []}
    assert terms._converter == []
    assert terms.known_sort_keys()  # it did sort, by keys the helper read


def test_the_helper_reads_pinyin_as_this_process_does(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    warm = Warmup.start(BuildOptions(site_dir=site, jobs=2))
    assert warm is not None
    try:
        names = ["重庆银行", "行长", "长沙银行", "厦门", "G60科创走廊", "人工智能", "abc"]
        assert warm.read_pinyin(names) == [terms.pinyin(n) for n in names]
        # A forked render worker inherits the object, and never talks to the helper.
        pid = os.fork()
        if pid == 0:
            os._exit(0 if warm.read_pinyin(["行长"]) is None else 1)
        assert os.waitpid(pid, 0)[1] == 0
        assert warm.read_pinyin(["银行"]) == [terms.pinyin("银行")]
    finally:
        warm.close()
    assert warm.read_pinyin(["银行"]) is None  # closed: the build reads pinyin itself


def test_the_templates_it_compiles_are_the_ones_the_build_loads(tmp_path: Path,
                                                               counted: dict) -> None:
    site = copy_site(REPO, tmp_path / "site")
    warm = Warmup.start(BuildOptions(site_dir=site, jobs=2))
    assert warm is not None
    try:
        prepared = warm.prepare("zh", None, None, None)
    finally:
        warm.close()
    assert prepared is not None and prepared[1] == {}  # no provider: no map shapes
    cache = TemplateCache()
    cache.remember(prepared[0])
    env = theme_environment(find_theme(site), "zh", cache)
    names = env.list_templates()
    assert len(prepared[0]) == len(names) and names
    for name in names:
        env.get_template(name)
    assert counted["compile"] == []  # (a count kept on purpose: see the test above)
    # Another language folds other text in: not the same compiled templates.
    theme_environment(find_theme(site), "en", cache).get_template("base.html")
    assert counted["compile"] == ["base.html"]


@pytest.mark.parametrize("failure", ["dies", "answers nonsense", "too slow"])
def test_a_helper_that_fails_changes_nothing(failure: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import site_builder.parallel.warmup as warmup

    expected = built(copy_site(REPO, tmp_path / "alone"), jobs=1)
    if failure == "dies":
        monkeypatch.setattr(_Helper, "run", lambda self: os._exit(3))
    elif failure == "answers nonsense":
        monkeypatch.setattr(_Helper, "_answer",
                            lambda self, request: warmup._send(self._out, ("?", 1)))
    else:
        monkeypatch.setattr(warmup, "_WAIT", 0.01)
        real = _Helper._answer

        def slow(self, request):  # type: ignore[no-untyped-def]
            import time

            time.sleep(0.2)
            real(self, request)

        monkeypatch.setattr(_Helper, "_answer", slow)
    monkeypatch.setattr(terms, "_SORT_KEYS", {})
    monkeypatch.setattr(terms, "_converter", [])
    assert built(copy_site(REPO, tmp_path / "helped"), jobs=2) == expected


def test_no_helper_for_one_job_or_a_warm_cache_but_despite_other_threads(
        tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    assert Warmup.start(BuildOptions(site_dir=site, jobs=1)) is None
    # Another thread of the program (a browser driver in the tests, say) changes nothing.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        warm = Warmup.start(BuildOptions(site_dir=site, jobs=2))
        assert warm is not None
        try:
            assert warm.read_pinyin(["行长"]) == [terms.pinyin("行长")]
        finally:
            warm.close()
    finally:
        stop.set()
        other.join()
    assert run(BuildOptions(site_dir=site, jobs=2)).ok
    # The last build left its sort keys and map shapes in .cache/: nothing to help with.
    assert Warmup.start(BuildOptions(site_dir=site, jobs=2)) is None


def test_a_stopped_helper_never_stops_the_build(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import signal

    import site_builder.parallel.warmup as warmup

    monkeypatch.setattr(warmup, "_WAIT", 0.3)
    site = copy_site(REPO, tmp_path / "site")
    warm = Warmup.start(BuildOptions(site_dir=site, jobs=2))
    assert warm is not None
    os.kill(warm.pid, signal.SIGSTOP)
    try:
        # Far more than a pipe holds (64 KiB): writing it must give up too, not block.
        assert warm.read_pinyin(["产业链党建联盟成员企业"] * 20000) is None
        assert not warm.alive  # closed: the build reads pinyin itself from now on
    finally:
        warm.close()


def test_no_pipes_or_processes_left_means_no_helper(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    site = copy_site(REPO, tmp_path / "site")
    before = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, "fork", no_fork)
    assert Warmup.start(BuildOptions(site_dir=site, jobs=2)) is None
    assert len(os.listdir("/proc/self/fd")) == before  # its pipes closed again
    monkeypatch.undo()
    expected = built(copy_site(REPO, tmp_path / "alone"), jobs=1)
    monkeypatch.setattr(os, "fork", no_fork)
    monkeypatch.setattr("site_builder.render.workers.PARALLEL_MIN_PAGES", 10**9)  # nor workers
    assert built(site, jobs=2) == expected
