"""Shared fixtures and helpers: the read-only demo site, scratch copies, inline sample sites,
the files of a built tree, and preview sessions."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from site_builder.build import BuildResult, run
from site_builder.core.config import BuildOptions

if TYPE_CHECKING:
    from site_builder.preview.server import PreviewSession

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
MINIMAL = SITES / "minimal"


def copy_site(src: Path, dest: Path) -> Path:
    shutil.copytree(src / "content", dest / "content")
    for extra in ("templates", "assets"):
        if (src / extra).is_dir() and src != REPO:
            shutil.copytree(src / extra, dest / extra)
    return dest


def apply_files(site: Path, files: dict[str, str | bytes | None]) -> None:
    """Write (or, for None, delete) files given relative to the site folder."""
    for rel, text in files.items():
        path = site / rel
        if text is None:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")


@pytest.fixture
def make_site(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the minimal site in tmp_path with some files replaced."""
    counter = iter(range(1000))

    def make(files: dict[str, str | bytes | None] | None = None, base: Path = MINIMAL) -> Path:
        site = copy_site(base, tmp_path / f"site{next(counter)}")
        apply_files(site, files or {})
        return site

    return make


@pytest.fixture
def scratch_demo(tmp_path: Path) -> Path:
    """A copy of the demo site that a test may edit."""
    return copy_site(REPO, tmp_path / "demo")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder`, by its path relative to it: compare builds byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_digest(folder: Path) -> dict[str, str]:
    """`tree` with each file's SHA-256 instead of its bytes (shorter failure messages)."""
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in tree(folder).items()}


def build(site: Path, **options: object) -> BuildResult:
    """Build `site` in-process into site/output."""
    write = bool(options.pop("write", True))
    return run(BuildOptions(site_dir=site, **options), write=write)  # type: ignore[arg-type]


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    """Run `python -m site_builder` as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, env=full_env, timeout=300)


@pytest.fixture(scope="session")
def demo_model():
    """The demo site's linked model (no output written)."""
    result = run(BuildOptions(site_dir=REPO), write=False)
    assert result.ok, result.report.format()
    return result.model


@pytest.fixture(scope="session")
def built_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site built once per session; returns the output folder."""
    out = tmp_path_factory.mktemp("demo") / "output"
    result = run(BuildOptions(site_dir=REPO, output_dir=out))
    assert result.ok, result.report.format()
    return out


@pytest.fixture
def start_preview() -> Iterator[Callable[..., PreviewSession]]:
    """Start preview sessions of a site on a free port (keyword arguments go to
    PreviewSession); every one is stopped after the test."""
    from site_builder.preview.server import PreviewSession

    sessions: list[PreviewSession] = []

    def start(site: Path, **options: Any) -> PreviewSession:
        session = PreviewSession(site, port=0, **options)
        session.start()
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.stop()
