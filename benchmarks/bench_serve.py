"""Serve benchmark: from saving a story to the reloaded page, as an editor would see it.

    python benchmarks/bench_serve.py                        # the demo site, 10 saves
    python benchmarks/bench_serve.py --alliances 160        # and a generated site (~10,000 pages)
    python benchmarks/bench_serve.py --site DIR --runs 5    # any site folder
    python benchmarks/bench_serve.py --browser              # also measure in headless Chromium

Each site is copied to a scratch folder (the original is never edited) and previewed with the
real command, `python -m site_builder serve COPY --port P`, in its own process: real file
events, real debounce, real HTTP. Then, `--runs` times, one story gets a new sentence and
the clock runs until

- http: the status endpoint has announced a new build and the story's page, fetched again,
  holds the new sentence (what the reload script does, minus the browser);
- browser (with --browser): an open tab of the story has reloaded by itself (its `load` event)
  and shows the new sentence.

It prints the median, the fastest and the slowest of each, the server's own build time per
save (from its terminal line) and the targets: 300 ms for the demo, 1.5 s for 10,000 pages.
These are figures to read, not a pass/fail test: the machine's load changes them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
STATUS = "__sb/status"
BUILD_MS = re.compile(r"用时 (\d+) 毫秒|in (\d+) ms")
TARGET_DEMO_MS, TARGET_LARGE_MS, LARGE_PAGES = 300, 1500, 10_000


@dataclass
class Figures:
    """What one site gave."""

    name: str
    pages: int = 0
    first_build_s: float = 0.0
    http_ms: list[float] = field(default_factory=list)
    browser_ms: list[float] = field(default_factory=list)
    build_ms: list[float] = field(default_factory=list)

    @property
    def target_ms(self) -> int | None:
        if self.name == "demo":
            return TARGET_DEMO_MS
        return TARGET_LARGE_MS if self.pages >= LARGE_PAGES else None


# ---- the site and the server ------------------------------------------------------------

def copy_site(src: Path, dest: Path) -> Path:
    """Copy what a build reads (content/, templates/, assets/) to a scratch folder."""
    for name in ("content", "templates", "assets"):
        if (src / name).is_dir() and not (src == REPO and name != "content"):
            shutil.copytree(src / name, dest / name)
    return dest


def story_to_edit(site: Path) -> Path:
    """A fixed story: the middle one in name order."""
    stories = sorted((site / "content" / "stories").glob("*.md"))
    if not stories:
        raise SystemExit(f"{site}: no stories to edit")
    return stories[len(stories) // 2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`site-builder serve` in a child process, its terminal lines collected as they come."""

    def __init__(self, site: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        self._started = threading.Event()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "site_builder", "serve", str(site), "--port", str(port)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith("预览地址"):
                self._started.set()
        self._started.set()  # the process ended: stop waiting

    def wait_started(self, timeout: float) -> None:
        if not self._started.wait(timeout) or self.proc.poll() is not None:
            raise SystemExit("the server did not start:\n" + "\n".join(self.lines[-20:]))

    def build_lines(self) -> list[str]:
        return [line for line in self.lines if line.startswith("[")]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@contextmanager
def serving(site: Path, timeout: float) -> Iterator[Server]:
    server = Server(site, free_port())
    try:
        server.wait_started(timeout)
        yield server
    finally:
        server.stop()


def get(url: str, timeout: float = 120) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def build_id(server: Server) -> str:
    return json.loads(get(server.url + STATUS))["build"]


def wait_for_new_build(server: Server, seen: str, timeout: float) -> str:
    """Long-poll the status endpoint until a build other than `seen` is announced."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = json.loads(get(f"{server.url}{STATUS}?v={seen}"))
        if found["build"] != seen:
            if found["failed"]:
                raise SystemExit("the edit broke the build:\n" + "\n".join(server.lines[-20:]))
            return found["build"]
    raise SystemExit("no rebuild was announced within the timeout")


def settle(server: Server, quiet: float = 0.5) -> None:
    """Wait until the server printed nothing for `quiet` seconds."""
    count = -1
    while count != len(server.lines):
        count = len(server.lines)
        time.sleep(quiet)


def last_build_ms(server: Server) -> float | None:
    for line in reversed(server.build_lines()):
        found = BUILD_MS.search(line)
        if found:
            return float(found.group(1) or found.group(2))
    return None


# ---- measuring ----------------------------------------------------------------------------

def sentence(run: int, how: str) -> str:
    return f"基准测试第 {run} 次保存（{how}）：联盟召开供需对接会，现场促成合作意向 12 项。"


def save(story: Path, original: str, text: str) -> None:
    """Save the story with one more paragraph, in place, as most editors do."""
    story.write_text(original.rstrip("\n") + f"\n\n{text}\n", encoding="utf-8")


def measure_http(server: Server, story: Path, url: str, runs: int, timeout: float,
                 figures: Figures) -> None:
    original = story.read_text(encoding="utf-8")
    for run in range(1, runs + 1):
        settle(server)
        seen = build_id(server)
        text = sentence(run, "http")
        start = time.perf_counter()
        save(story, original, text)
        wait_for_new_build(server, seen, timeout)
        page = get(url).decode("utf-8")
        elapsed = (time.perf_counter() - start) * 1000
        if text not in page:
            raise SystemExit(f"{url} does not show the new sentence after the reload signal")
        figures.http_ms.append(elapsed)
        settle(server)
        build_ms = last_build_ms(server)
        if build_ms is not None:
            figures.build_ms.append(build_ms)
        print(f"  http    run {run}: {elapsed:7.0f} ms (server build {build_ms:.0f} ms)",
              flush=True)


def measure_browser(server: Server, story: Path, url: str, runs: int, timeout: float,
                    figures: Figures) -> None:
    from playwright.sync_api import sync_playwright

    original = story.read_text(encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        page = browser.new_page()
        # Nothing may leave the machine: a foreign request would only add noise.
        page.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
        page.goto(url)
        for run in range(1, runs + 1):
            settle(server)
            text = sentence(run, "browser")
            with page.expect_event("load", timeout=timeout * 1000):
                start = time.perf_counter()
                save(story, original, text)
            elapsed = (time.perf_counter() - start) * 1000
            if text not in page.inner_text("main"):
                raise SystemExit("the reloaded tab does not show the new sentence")
            figures.browser_ms.append(elapsed)
            print(f"  browser run {run}: {elapsed:7.0f} ms", flush=True)
        browser.close()


def bench_site(name: str, src: Path, args: argparse.Namespace) -> Figures:
    """Copy `src`, serve the copy, and time `args.runs` saves of one story."""
    figures = Figures(name)
    with tempfile.TemporaryDirectory(prefix="sb-serve-", dir=args.work) as tmp:
        site = copy_site(src, Path(tmp) / "site")
        story = story_to_edit(site)
        print(f"{name}: serving a copy of {src}; editing {story.relative_to(site)}", flush=True)
        start = time.perf_counter()
        with serving(site, args.timeout) as server:
            figures.first_build_s = time.perf_counter() - start
            first = next((ln for ln in server.build_lines()), "")
            figures.pages = int(m.group(1)) if (m := re.search(r"(\d+) (个文件|files)",
                                                                first)) else 0
            url = f"{server.url}stories/{story.stem}/"
            measure_http(server, story, url, args.runs, args.timeout, figures)
            if args.browser:
                measure_browser(server, story, url, args.runs, args.timeout, figures)
    return figures


# ---- printing ----------------------------------------------------------------------------

def summary(values: list[float]) -> str:
    if not values:
        return "—"
    return (f"median {statistics.median(values):6.0f} ms  "
            f"(min {min(values):.0f}, max {max(values):.0f}, n={len(values)})")


def report(all_figures: list[Figures]) -> None:
    print("\nsave → reloaded page")
    for f in all_figures:
        target = f"target ≤ {f.target_ms} ms" if f.target_ms else "no target at this size"
        print(f"\n{f.name}: {f.pages} files served, first build {f.first_build_s:.1f} s, "
              f"{target}")
        print(f"  http (status + page fetch): {summary(f.http_ms)}")
        if f.browser_ms:
            print(f"  browser (tab reloaded):     {summary(f.browser_ms)}")
        print(f"  server rebuild alone:       {summary(f.build_ms)}")
        overhead = [h - b for h, b in zip(f.http_ms, f.build_ms, strict=False)]
        print(f"  watch + debounce + signal + fetch: {summary(overhead)}")
        if f.target_ms:
            best = statistics.median(f.browser_ms or f.http_ms)
            verdict = "meets" if best <= f.target_ms else "misses"
            print(f"  → {verdict} the target ({best:.0f} ms vs {f.target_ms} ms)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, action="append", default=[],
                        help="a site folder to measure (repeatable); the demo is always measured")
    parser.add_argument("--alliances", type=int, action="append", default=[], metavar="N",
                        help="also measure a site generated by benchmarks/generate_site.py "
                             "(repeatable; 160 gives about 10,000 pages)")
    parser.add_argument("--runs", type=int, default=10, help="saves per site (default 10)")
    parser.add_argument("--browser", action="store_true",
                        help="also time the reload in headless Chromium (/usr/bin/chromium)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds to wait for a start or a rebuild (default 900)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "site-builder-bench-serve",
                        help="where generated sites are kept between runs")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    sites: list[tuple[str, Path]] = [("demo", REPO)]
    sites += [(str(path), path) for path in args.site]
    for n in args.alliances:
        sites.append((f"generated, {n} alliances", generated_site(n, args.work)))
    results = [bench_site(name, path, args) for name, path in sites]
    report(results)
    return 0


def generated_site(alliances: int, work: Path) -> Path:
    """A generated site of `alliances` alliances, reused while its arguments are unchanged."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from generate_site import ensure_site
    except ImportError:
        raise SystemExit("benchmarks/generate_site.py is missing: use --site DIR instead") from None
    site = work / f"site-n{alliances}-s1"
    ensure_site(site, alliances, 1, log=lambda m: print(m, flush=True))
    return site


if __name__ == "__main__":
    sys.exit(main())
