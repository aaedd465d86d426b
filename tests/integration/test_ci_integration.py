"""What site repositories copy from docs/ci: the hook really blocks bad commits."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import yaml

from tests.conftest import MINIMAL, REPO, copy_site


def git(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_AUTHOR_NAME": "编辑", "GIT_AUTHOR_EMAIL": "e@example.gov.cn",
           "GIT_COMMITTER_NAME": "编辑", "GIT_COMMITTER_EMAIL": "e@example.gov.cn",
           "PYTHONPATH": str(REPO)}
    return subprocess.run(["git", *args], cwd=site, capture_output=True, text=True, env=env,
                          timeout=120)


def test_pre_commit_hook_refuses_bad_content_and_accepts_the_fix(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    assert git(site, "init", "-q").returncode == 0
    hook = site / ".git/hooks/pre-commit"
    shutil.copy(REPO / "docs/ci/pre-commit", hook)
    hook.chmod(0o755)
    story = site / "content/stories/first-story.md"
    story.write_text(story.read_text(encoding="utf-8").replace("alliances: [test-chain]",
                                                               "alliances: [test-chian]"),
                     encoding="utf-8")
    git(site, "add", "-A")
    refused = git(site, "commit", "-m", "坏的内容")
    assert refused.returncode != 0
    assert "找不到联盟“test-chian”" in refused.stderr
    assert "提交已取消" in refused.stderr
    story.write_text(story.read_text(encoding="utf-8").replace("test-chian", "test-chain"),
                     encoding="utf-8")
    git(site, "add", "-A")
    assert git(site, "commit", "-m", "改好了").returncode == 0


def test_ci_examples_run_the_strict_check() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hooks[0]["entry"] == "site-builder check --strict"
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (REPO / "docs/ci" / name).read_text(encoding="utf-8")
        yaml.safe_load(text)
        assert "site-builder check --strict" in text and "site-builder build" in text
