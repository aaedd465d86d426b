"""Promises of the repository itself: CI runs the README's test command."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"```sh\n(.+?)\n```", readme)
    test_command = next(c for c in commands if "pytest" in c)
    ci = (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()
    assert ci[-1] == test_command


def test_readme_quick_start_builds_the_demo() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    build = next(c for c in re.findall(r"```sh\n(.+?)\n```", readme) if "build" in c)
    assert build.startswith("pip install . && site-builder build")


def test_the_guides_examples_pass_strict_checks() -> None:
    from tests.conftest import build

    result = build(REPO / "docs/examples", write=False, strict=True)
    assert result.ok, result.report.format()


def test_the_guide_explains_every_message_code() -> None:
    from site_builder.core.diagnostics import CATALOGUE

    guide = (REPO / "docs/内容编写指南.md").read_text(encoding="utf-8")
    missing = [code for code in CATALOGUE if code not in guide]
    assert missing == []
