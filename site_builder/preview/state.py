"""Preview state: build into memory, and keep the site being served with what its build said.

The site lives in memory (path → bytes) and is replaced whole after each good build, so a
page is never half old, half new. A failed build keeps the last good site and publishes
its diagnostics. While content/ is missing no site is served at all, only a notice saying
so: a stale site with no word of what happened would look like a preview that stopped
following saves.
"""

from __future__ import annotations

import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.build import run
from site_builder.core.config import BuildOptions
from site_builder.core.diagnostics import Diagnostic, Severity
from site_builder.core.outputs import Output
from site_builder.incremental.session import Session
from site_builder.workbench.kinds import record_file

# How long a status request waits for a new build before answering "no change".
LONG_POLL_SECONDS = 25.0
CONTENT_MISSING = "content-missing"

Log = Callable[[str], None]


def print_line(line: str) -> None:
    print(line, flush=True)


# ---- builds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildOutcome:
    """What one build gave the server: the site if it succeeded, and its problems."""

    files: Mapping[str, bytes] | None  # None: the build failed, keep serving the last good site
    problems: tuple[dict[str, Any], ...] = ()
    report_text: str = ""  # the diagnostics as the terminal shows them
    lang: str = "zh-CN"
    missing: str = ""  # a folder the site needs ("content/") is gone: serve no site at all
    sources: Mapping[str, str] = field(default_factory=dict)  # page → its record's file


Builder = Callable[[], BuildOutcome]


class SiteBuilder:
    """Build the site into memory for preview, reusing memoised Markdown between builds."""

    # One process by default: forked render workers never fill the Markdown memo kept here,
    # so warm rebuilds gain nothing (10,000 pages, 2 CPUs: 84 s with 2 jobs, 65-87 s with
    # one), and forking a process that runs server threads is fragile.
    def __init__(self, site_dir: Path, base_url: str, jobs: int = 1) -> None:
        self.options = BuildOptions(site_dir=site_dir, drafts=True, future=True, preview=True,
                                    base_url=base_url, jobs=jobs)
        self.cache = Session()  # the memos of the last build, in memory

    def __call__(self) -> BuildOutcome:
        kept: list[Output] = []
        result = run(self.options, session=self.cache, writer=kept.extend)
        lang = result.language
        problems = tuple(problem_of(d, lang) for d in result.report.items)
        files = {o.path: o.data for o in kept} if result.ok else None
        sources = {"index.html": "site.yaml"}
        if result.model is not None:  # the 编辑 link of each record's page
            sources.update((f"{i.url}index.html", i.file) for i in result.model.index.values())
        return BuildOutcome(files, problems, result.report.format(lang), lang, "", sources)


def problem_of(d: Diagnostic, lang: str) -> dict[str, Any]:
    """Describe one diagnostic for the overlay: where, which key, what, and how to fix it."""
    # The overlay links a record's problem to its form in the workbench.
    edit = "/_edit/" + d.file if d.file and record_file(d.file) else ""
    return {**d.as_dict(lang), "location": d.location(), "edit": edit}


def crash_outcome(exc: BaseException) -> BuildOutcome:
    """Describe an unexpected exception as a problem the overlay can show."""
    problem = {
        "code": "internal-error", "severity": "error", "file": None, "line": None,
        "col": None, "key": "", "location": "site-builder",
        "message": f"生成网站时出现意外错误：{type(exc).__name__}: {exc}",
        "hint": "详细信息见运行 site-builder serve 的终端窗口。这通常是程序的问题而不是内容的"
                "问题，请把终端里的信息发给技术人员。",
    }
    return BuildOutcome(None, (problem,), "", "zh-CN")


def content_missing(lang: str) -> BuildOutcome:
    """The notice served while content/ is gone (deleted, renamed, a branch switch)."""
    if lang == "en":
        message = "The content/ folder is missing; the site is built again once it is back."
        hint = ("It may have been deleted, renamed or moved, or a Git branch switch is under "
                "way. The site is built again as soon as it is back, and this page reloads "
                "by itself.")
    else:
        message = "content/ 文件夹不见了，恢复后会自动重新生成。"
        hint = ("可能被删除、改名或移走了，也可能正在切换 Git 分支。文件夹恢复后会自动重新生成，"
                "页面也会自动刷新。")
    problem = {"code": CONTENT_MISSING, "severity": "error", "file": "content", "line": None,
               "col": None, "key": "", "location": "content/", "message": message,
               "hint": hint}
    return BuildOutcome(None, (problem,), "", lang, missing="content/")


# ---- live state ------------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The site being served and what the latest build said about it."""

    build_id: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    problems: tuple[dict[str, Any], ...] = ()  # shown in the overlay while the build fails
    lang: str = "zh-CN"
    missing: str = ""  # the folder whose absence the overlay reports
    sources: Mapping[str, str] = field(default_factory=dict)  # page → its record's file

    @property
    def failed(self) -> bool:
        return any(p["severity"] == Severity.ERROR for p in self.problems)


class LivePreview:
    """The latest snapshot, shared by the rebuild thread and every request thread."""

    def __init__(self, builder: Builder, log: Log = print_line,
                 long_poll: float = LONG_POLL_SECONDS) -> None:
        self.builder = builder
        self.log = log
        self.long_poll = long_poll
        # A new id per session, so tabs left open from an earlier `serve` reload too.
        self._session = secrets.token_hex(4)
        self._count = 0
        self._snapshot = Snapshot(self._next_id())
        self._built = False
        self._last_report = ""
        self._cond = threading.Condition()
        self._closed = False
        self._started = self._finished = 0  # builds begun and the last one finished

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def _next_id(self) -> str:
        self._count += 1
        return f"{self._session}-{self._count}"

    def rebuild(self, changed: Iterable[str] = (), builder: Builder | None = None) -> Snapshot:
        """Build once (with `builder`, or the preview's) and publish the result; never raises,
        whatever the content holds."""
        start = time.perf_counter()
        with self._cond:
            self._started += 1
            ticket = self._started
        try:
            outcome = (builder or self.builder)()
        except Exception as exc:  # a bug must not stop the preview: log it and keep serving
            self.log(traceback.format_exc().rstrip())
            outcome = crash_outcome(exc)
        changed_site = self.publish(outcome)
        elapsed = time.perf_counter() - start
        self._log_build(outcome, elapsed, tuple(changed), changed_site)
        with self._cond:
            self._finished = max(self._finished, ticket)
            self._cond.notify_all()
        return self._snapshot

    def builds_started(self) -> int:
        with self._cond:
            return self._started

    def wait_for_build_after(self, started: int, timeout: float) -> None:
        """Wait until a build that began after `started` builds has finished (the workbench
        answers a save once the preview shows it)."""
        with self._cond:
            self._cond.wait_for(lambda: self._finished > started or self._closed, timeout)

    def publish(self, outcome: BuildOutcome) -> bool:
        """Make `outcome` the current state; say whether anything a tab shows changed."""
        with self._cond:
            old = self._snapshot
            if outcome.missing:
                files: Mapping[str, bytes] = {}
            else:
                files = old.files if outcome.files is None else outcome.files
            problems = () if outcome.files is not None else outcome.problems
            sources = old.sources if outcome.files is None else outcome.sources
            if (self._built and files == old.files and problems == old.problems
                    and outcome.missing == old.missing):
                return False  # nothing to reload: a save that changed nothing
            self._built = True
            self._snapshot = Snapshot(self._next_id(), files, problems, outcome.lang,
                                      outcome.missing, sources)
            self._cond.notify_all()
            return True

    def wait_for_change(self, seen: str, timeout: float | None = None) -> Snapshot:
        """Return the snapshot once its id differs from `seen`, or after `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._snapshot.build_id != seen or self._closed,
                                self.long_poll if timeout is None else timeout)
            return self._snapshot

    def close(self) -> None:
        """Release every waiting status request."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _log_build(self, outcome: BuildOutcome, elapsed: float, changed: tuple[str, ...],
                   changed_site: bool) -> None:
        if outcome.missing and not changed_site:
            return  # said once per disappearance, not again for every event meanwhile
        if outcome.report_text and outcome.report_text != self._last_report:
            self.log(outcome.report_text + "\n")
        self._last_report = outcome.report_text
        self.log(rebuild_line(outcome, elapsed, changed, changed_site))


def rebuild_line(outcome: BuildOutcome, elapsed: float, changed: tuple[str, ...],
                 changed_site: bool) -> str:
    """One terminal line per build: when, how long, which files, and the result."""
    en = outcome.lang == "en"
    stamp = time.strftime("%H:%M:%S")
    ms = round(elapsed * 1000)
    files = _list_files(changed, en)
    errors = sum(1 for p in outcome.problems if p["severity"] == Severity.ERROR)
    if outcome.missing:
        if en:
            return (f"[{stamp}] {outcome.missing} is missing (deleted, renamed or moved "
                    "away?); the preview shows a notice and rebuilds as soon as it is back")
        return (f"[{stamp}] {outcome.missing} 文件夹不见了（被删除、改名或移走了？），浏览器里"
                "显示提示；恢复后会自动重新生成")
    if outcome.files is None:
        if en:
            return (f"[{stamp}] build failed ({errors} error(s), {ms} ms){files}; the browser "
                    "shows what is wrong and still serves the last good site")
        return (f"[{stamp}] 生成失败（{errors} 个错误，用时 {ms} 毫秒）{files}；浏览器里会显示"
                "错误说明，仍显示上一次成功的网站")
    same = "" if changed_site else ("; nothing changed" if en else "；页面没有变化")
    if en:
        return f"[{stamp}] built {len(outcome.files)} files in {ms} ms{files}{same}"
    return f"[{stamp}] 已生成 {len(outcome.files)} 个文件，用时 {ms} 毫秒{files}{same}"


def _list_files(changed: tuple[str, ...], en: bool) -> str:
    if not changed:
        return ""
    shown = "、".join(changed[:3]) if not en else ", ".join(changed[:3])
    if len(changed) > 3:
        shown += f" and {len(changed) - 3} more" if en else f" 等 {len(changed)} 个文件"
    return f" — {shown}" if en else f"：{shown}"
