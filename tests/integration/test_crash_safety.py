"""A build killed at any moment leaves the previous output complete; the next one works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import REPO, cli, copy_site, tree_digest

# Runs the real CLI with file writes slowed down, so that SIGKILL lands mid-write.
DRIVER = """
import sys, time, pathlib
original = pathlib.Path.write_bytes
def slow(self, data):
    time.sleep(0.003)
    return original(self, data)
pathlib.Path.write_bytes = slow
from site_builder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_during_write_keeps_the_previous_output(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    out = site / "output"
    first = subprocess.run([sys.executable, "-c", DRIVER, "build", str(site)],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    before = tree_digest(out)
    # Change every page so the killed build must write (not hard-link) its files.
    site_yaml = site / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8").replace(
        "title:", "title: 新", 1), encoding="utf-8")
    for delay in (0.0, 0.15, 0.4):
        proc = subprocess.Popen([sys.executable, "-c", DRIVER, "build", str(site)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Wait until new pages are being staged: a kill before that would prove nothing.
        _wait_for(lambda: _writing(site), proc, 60, "staged a page of the new build")
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, (
            f"the build ended (exit {proc.returncode}) before the kill at +{delay}s")
        assert tree_digest(out) == before, f"output changed after a kill at +{delay}s"
    again = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site)],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert tree_digest(out) != before
    assert "新" in (out / "index.html").read_text(encoding="utf-8")
    # No staging folder is left: the killed builds' stages became the spare, the one tree
    # the next build starts its stage from (the output replaced last).
    leftovers = sorted(p.name for p in site.iterdir() if p.name.startswith(".output"))
    assert leftovers == [".output.spare"], leftovers
    assert cli("build", str(site)).returncode == 0
    now = sorted(p.name for p in site.iterdir() if p.name.startswith(".output"))
    assert now == [".output.spare"], now


def _wait_for(done: Callable[[], bool], proc: subprocess.Popen[bytes], seconds: float,
              what: str) -> None:
    """Wait until `done()`; fail if the build ends first or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while not done():
        assert proc.poll() is None, f"the build ended (exit {proc.returncode}) before it {what}"
        assert time.monotonic() < deadline, f"the build never {what} in {seconds} s"
        time.sleep(0.005)


def _writing(site: Path) -> bool:
    """A staging folder holds a page of the new build (one with the new site title)."""
    for stage in site.glob(".output.staging-*"):
        for page in [*stage.glob("*.html"), *stage.glob("*/index.html")]:
            try:
                if "新" in page.read_text(encoding="utf-8"):
                    return True
            except (OSError, UnicodeDecodeError):
                continue
    return False


# A first build with its writes slowed down (in this process: the demo has too few pages
# for render workers), so that SIGKILL lands while it stages.
FIRST_DRIVER = """
import sys, time
import site_builder.write.writer as writer
original = writer.write_new
def slow(*args):
    time.sleep(0.002)
    return original(*args)
writer.write_new = slow
from site_builder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_during_a_first_build_leaves_nothing_the_next_build_trips_on(
        tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    proc = subprocess.Popen([sys.executable, "-c", FIRST_DRIVER, "build", str(site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_for(lambda: any(site.glob(".output.staging-*/*/*/index.html")), proc, 120,
              "staged a page")
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, (
        f"the first build ended (exit {proc.returncode}) before the kill")
    assert not (site / "output").exists()
    # Its stage and its twin (the links of what it wrote) are left.
    left = sorted(p.name.rsplit("-", 1)[0] for p in site.iterdir()
                  if p.name.startswith(".output"))
    assert left == [".output.spare", ".output.staging"], left
    done = cli("build", str(site))
    assert done.returncode == 0, done.stderr
    assert tree_digest(site / "output") == tree_digest(_clean(site, tmp_path))
    # The next build started from the dead build's stage and deleted its twin meanwhile.
    assert [p.name for p in site.iterdir() if p.name.startswith(".output")] == []


def _clean(site: Path, tmp_path: Path) -> Path:
    fresh = copy_site(REPO, tmp_path / "fresh")
    assert cli("build", str(fresh)).returncode == 0
    return fresh / "output"
