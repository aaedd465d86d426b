"""Watch: which saved files matter, and how a burst of events becomes one rebuild."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)
from watchdog.observers.polling import PollingObserver

from site_builder.preview.watch import (
    ChangeHandler,
    ChangeKind,
    Debouncer,
    Watcher,
    classify_change,
)

SITE = PurePosixPath("/srv/site")

CASES = [
    ("content/stories/a.md", ChangeKind.CONTENT),
    ("content/alliances/x/alliance.yaml", ChangeKind.CONTENT),
    ("content/alliances/x/index.md", ChangeKind.CONTENT),
    ("content/media/photo.png", ChangeKind.CONTENT),
    ("content/stories", ChangeKind.CONTENT),
    ("content", ChangeKind.CONTENT),
    ("content/site.yaml", ChangeKind.CONFIG),
    ("content/site.yml", ChangeKind.CONFIG),
    ("site.yaml", ChangeKind.CONFIG),
    ("templates/story.html", ChangeKind.TEMPLATE),
    ("templates", ChangeKind.TEMPLATE),
    ("assets/site.css", ChangeKind.ASSET),
    ("assets/img/logo.svg", ChangeKind.ASSET),
    # Editor temporary files: vim, emacs, JetBrains, gedit/GNOME, generic.
    ("content/stories/.a.md.swp", None),
    ("content/stories/.a.md.swx", None),
    ("content/stories/a.md~", None),
    ("content/stories/4913", None),
    ("content/stories/5036", None),
    ("content/stories/.#a.md", None),
    ("content/stories/#a.md#", None),
    ("content/stories/a.md___jb_tmp___", None),
    ("content/stories/a.md___jb_old___", None),
    ("content/stories/.goutputstream-XYZ123", None),
    ("content/stories/a.tmp", None),
    ("content/stories/a.md.kate-swp", None),
    ("content/.DS_Store", None),
    ("templates/.story.html.swp", None),
    ("content/.hidden/a.md", None),
    # Not part of what a build reads.
    ("output/index.html", None),
    ("output", None),
    (".git/index", None),
    (".git/objects/ab/cdef", None),
    ("README.md", None),
    ("tests/unit/test_x.py", None),
]


@pytest.mark.parametrize(("rel", "kind"), CASES, ids=[c[0] for c in CASES])
def test_classify_change_sorts_each_path_by_what_it_is_to_the_build(
        rel: str, kind: ChangeKind | None) -> None:
    assert classify_change(SITE / rel, SITE) == kind


def test_classify_change_accepts_strings_and_paths_relative_to_the_site() -> None:
    assert classify_change("/srv/site/content/stories/a.md", "/srv/site") is ChangeKind.CONTENT
    assert classify_change("content/stories/a.md", SITE) is ChangeKind.CONTENT


def test_classify_change_ignores_paths_outside_the_site() -> None:
    assert classify_change("/srv/other/content/stories/a.md", SITE) is None
    assert classify_change("/srv/site", SITE) is None


def test_classify_change_sees_through_a_symlinked_site_folder(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "content").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real)
    assert classify_change(real / "content/a.md", link) is ChangeKind.CONTENT


# ---- debouncing ----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_debouncer_waits_for_quiet_then_hands_over_the_whole_burst_once() -> None:
    clock = FakeClock()
    batches: list[frozenset[str]] = []
    debouncer = Debouncer(batches.append, delay=0.05, clock=clock)
    for step, name in enumerate(["4913", "a.md~", "a.md", "a.md"]):
        clock.now = 100.0 + step * 0.01
        debouncer.add(name)
    clock.now = 100.07  # 40 ms after the last event: not yet quiet long enough
    assert debouncer.flush_due() is False
    clock.now = 100.08
    assert debouncer.flush_due() is True
    assert batches == [frozenset({"4913", "a.md~", "a.md"})]
    assert debouncer.flush_due() is False
    assert debouncer.wait_time() is None


def test_debouncer_flushes_a_never_ending_stream_after_max_wait() -> None:
    clock = FakeClock()
    batches: list[frozenset[str]] = []
    debouncer = Debouncer(batches.append, delay=0.05, max_wait=1.0, clock=clock)
    for step in range(40):  # an event every 30 ms for 1.2 s: never 50 ms of quiet
        clock.now = 100.0 + step * 0.03
        debouncer.add(f"f{step}")
        debouncer.flush_due()
    # Flushed at the first check past the 1 s limit (step 34, at 1.02 s), not at the end.
    assert batches == [frozenset(f"f{step}" for step in range(35))]


def test_debouncer_reports_how_long_until_the_burst_is_due() -> None:
    clock = FakeClock()
    debouncer = Debouncer(lambda batch: None, delay=0.05, clock=clock)
    debouncer.add("a")
    clock.now = 100.02
    assert debouncer.wait_time() == pytest.approx(0.03)


def test_debouncer_thread_calls_back_once_per_burst() -> None:
    batches: list[frozenset[str]] = []
    done = threading.Event()

    def collect(batch: frozenset[str]) -> None:
        batches.append(batch)
        done.set()

    debouncer = Debouncer(collect, delay=0.05)
    debouncer.start()
    try:
        for n in range(20):
            debouncer.add(f"f{n % 5}")
        assert done.wait(2)
        time.sleep(0.15)
        assert batches == [frozenset(f"f{n}" for n in range(5))]
        done.clear()
        debouncer.add("g")
        assert done.wait(2)
        assert batches[1] == frozenset({"g"})
    finally:
        debouncer.stop()


def test_change_saved_during_a_rebuild_gives_one_more_rebuild() -> None:
    batches: list[frozenset[str]] = []
    building = threading.Event()
    finished = threading.Event()

    def slow_build(batch: frozenset[str]) -> None:
        batches.append(batch)
        building.set()
        time.sleep(0.1)
        if len(batches) == 2:
            finished.set()

    debouncer = Debouncer(slow_build, delay=0.03)
    debouncer.start()
    try:
        debouncer.add("first")
        assert building.wait(2)
        debouncer.add("during")  # arrives while the first rebuild runs
        assert finished.wait(2)
        assert batches == [frozenset({"first"}), frozenset({"during"})]
    finally:
        debouncer.stop()


# ---- events ------------------------------------------------------------------------------


def test_change_handler_passes_only_changes_a_build_would_see(tmp_path: Path) -> None:
    seen: list[str] = []
    handler = ChangeHandler(tmp_path, seen.append)
    story = str(tmp_path / "content/stories/a.md")
    temp = str(tmp_path / "content/stories/.goutputstream-ABC")
    handler.dispatch(FileOpenedEvent(story))  # the build itself reads files
    handler.dispatch(FileClosedNoWriteEvent(story))
    handler.dispatch(DirModifiedEvent(str(tmp_path / "content/stories")))
    handler.dispatch(FileCreatedEvent(temp))
    handler.dispatch(FileModifiedEvent(str(tmp_path / "output/index.html")))
    assert seen == []
    handler.dispatch(FileMovedEvent(temp, story))  # write-temp-then-rename
    handler.dispatch(FileModifiedEvent(story))
    assert seen == [story, story]


def _save_like_vim(path: Path, text: str) -> None:
    probe = path.parent / "4913"
    probe.write_text("")
    probe.unlink()
    backup = path.with_name(path.name + "~")
    path.rename(backup)
    path.write_text(text, encoding="utf-8")
    backup.unlink()


def _save_like_gedit(path: Path, text: str) -> None:
    temp = path.parent / ".goutputstream-Q1W2E3"
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


def _save_in_place(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _checkout(paths: list[Path], text: str) -> None:
    for path in paths:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_each_kind_of_save_gives_exactly_one_rebuild(tmp_path: Path, polling: bool) -> None:
    stories = tmp_path / "content/stories"
    stories.mkdir(parents=True)
    files = [stories / f"s{n}.md" for n in range(5)]
    _checkout(files, "v0")
    batches: list[frozenset[str]] = []
    # Polling compares snapshots once a second; the quiet time must cover one poll.
    # Generous quiet times: a loaded test machine must not split one save into two.
    debouncer = Debouncer(batches.append, delay=1.5 if polling else 0.25)
    watcher = Watcher(tmp_path, ChangeHandler(tmp_path, debouncer.add), force_polling=polling)
    watcher.start()
    debouncer.start()
    saves = [
        lambda: _save_like_vim(files[0], "v1"),
        lambda: _save_like_gedit(files[1], "v1"),
        lambda: _save_in_place(files[2], "v1"),
        lambda: _checkout(files, "v2"),
    ]
    if polling:
        saves = saves[1:2]  # one case is enough to show the fallback sees changes
    try:
        for n, save in enumerate(saves, 1):
            save()
            deadline = time.monotonic() + (6 if polling else 2)
            while len(batches) < n and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.4 if not polling else 0.1)
            assert len(batches) == n, batches
        real = {str(f) for f in files}
        assert all(batch <= real for batch in batches)  # temp names never reach a build
    finally:
        debouncer.stop()
        watcher.stop()


def test_failing_native_watcher_falls_back_to_polling(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    messages: list[str] = []

    class BrokenObserver(PollingObserver):
        def start(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    watcher = Watcher(tmp_path, ChangeHandler(tmp_path, lambda p: None),
                      native=BrokenObserver, log=messages.append)
    watcher.start()
    try:
        assert type(watcher.observer) is PollingObserver
        assert "改为每秒检查一次文件" in messages[0]
    finally:
        watcher.stop()


def test_site_builder_poll_env_forces_polling(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "content").mkdir()
    monkeypatch.setenv("SITE_BUILDER_POLL", "1")
    watcher = Watcher(tmp_path, ChangeHandler(tmp_path, lambda p: None))
    watcher.start()
    try:
        assert type(watcher.observer) is PollingObserver
    finally:
        watcher.stop()


# ---- folders deleted and made again ----------------------------------------------------------

def _rename_away_and_back(folder: Path) -> None:
    folder.rename(folder.with_name(folder.name + ".away"))


def _restore_renamed(folder: Path, backup: Path) -> None:
    folder.with_name(folder.name + ".away").rename(folder)


def _remove(folder: Path) -> None:
    shutil.rmtree(folder)


def _copy_back(folder: Path, backup: Path) -> None:
    shutil.copytree(backup, folder)


VANISHINGS = {
    "renamed-away-and-back": (_rename_away_and_back, _restore_renamed),
    "deleted-and-copied-back": (_remove, _copy_back),
}


class Batches:
    """Bursts of changes as the preview gets them: each one re-arms the watches first."""

    def __init__(self) -> None:
        self.seen: list[frozenset[str]] = []
        self.lock = threading.Lock()
        self.watcher: Watcher | None = None

    def __call__(self, batch: frozenset[str]) -> None:
        assert self.watcher is not None
        self.watcher.rearm()
        with self.lock:
            self.seen.append(batch)

    def named(self, path: Path) -> bool:
        with self.lock:
            return any(str(path) in batch for batch in self.seen)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.02)


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
@pytest.mark.parametrize("folder_name", ["content", "templates"])
@pytest.mark.parametrize("how", list(VANISHINGS))
def test_a_folder_deleted_and_made_again_is_watched_again(
        tmp_path: Path, polling: bool, folder_name: str, how: str) -> None:
    site = tmp_path / "site"
    folder = site / folder_name
    (folder / "stories").mkdir(parents=True)
    story = folder / "stories/a.md"
    story.write_text("v0", encoding="utf-8")
    backup = shutil.copytree(folder, tmp_path / "backup")
    vanish, restore = VANISHINGS[how]
    batches = Batches()
    debouncer = Debouncer(batches, delay=0.05)
    batches.watcher = watcher = Watcher(site, ChangeHandler(site, debouncer.add),
                                        force_polling=polling)
    watcher.start()
    debouncer.start()
    wait = 8.0 if polling else 4.0  # polling looks once a second
    try:
        assert watcher.rearm() == []  # nothing changed: no watch replaced
        vanish(folder)
        wait_until(lambda: folder not in watcher.watched, wait, "the watch dropped")
        restore(folder, backup)
        wait_until(lambda: folder in watcher.watched, wait, "the folder watched again")
        with batches.lock:
            batches.seen.clear()
        story.write_text("v1", encoding="utf-8")  # a save inside the folder made again
        wait_until(lambda: batches.named(story), wait, "the save reported")
    finally:
        debouncer.stop()
        watcher.stop()
