"""Promises of the repository itself: README's commands work and CI runs its test command."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

from tests.conftest import REPO, cli, copy_site


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test_command


def test_readme_quick_start_builds_the_demo(tmp_path: Path) -> None:
    """Run the build of README's first quick-start command, as README writes it, on a copy
    of the demo's content/, and find the pages README promises to preview."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    first = re.findall(r"```sh\n(.+?)\n```", quick_start)[0]
    steps = [shlex.split(step) for step in first.split("&&")]
    # Install, build, serve. The install is not repeated here: these tests run on it.
    assert [step[0] for step in steps] == ["pip", "site-builder", "python"], first
    assert steps[0] == ["pip", "install", "."]
    command = steps[1][1:]
    assert command[0] == "build", first
    served = steps[2][steps[2].index("--directory") + 1]
    # `site-builder` is the console script of the very program `python -m site_builder` runs.
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert scripts["project"]["scripts"]["site-builder"] == "site_builder.cli:console"
    site = copy_site(REPO, tmp_path / "demo")  # content/ only: the theme is the package's
    # README runs it in the folder that holds content/: no SITE_DIR, the current folder.
    done = cli(*command, cwd=site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "完成：6 个联盟" in done.stdout  # README: "six alliances"
    out = site / served
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "<title>产业链党建联盟展示平台" in home
    alliances = sorted(p.name for p in (site / "content" / "alliances").iterdir())
    for slug in alliances:
        assert (out / "alliances" / slug / "index.html").is_file(), slug
        assert f'href="./alliances/{slug}/"' in home, slug
    for rel in ("stories/index.html", "stories/baidu-ai-cloud-move-in/index.html",
                "map/index.html", "search/index.html", "feed.xml", "sitemap.xml"):
        assert (out / rel).is_file(), rel


def test_the_guides_examples_pass_strict_checks() -> None:
    from tests.conftest import build

    result = build(REPO / "docs/examples", write=False, strict=True)
    assert result.ok, result.report.format()


def test_the_guide_explains_every_message_code() -> None:
    from site_builder.core.diagnostics import CATALOGUE

    guide = (REPO / "docs/内容编写指南.md").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if code not in guide]
    assert missing == []
