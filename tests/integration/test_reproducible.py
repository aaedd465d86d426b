"""Same input, byte-identical output: on another path, in another timezone and locale."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import REPO, cli, copy_site, tree_digest


def test_output_does_not_depend_on_path_timezone_or_locale(tmp_path: Path) -> None:
    a = copy_site(REPO, tmp_path / "one")
    b = copy_site(REPO, tmp_path / "elsewhere" / "two")
    env_a = {"TZ": "Asia/Shanghai", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8",
             "SOURCE_DATE_EPOCH": "1780000000"}
    env_b = {"TZ": "America/Los_Angeles", "LANG": "C", "LC_ALL": "C",
             "SOURCE_DATE_EPOCH": "1780000000", "PYTHONHASHSEED": "123"}
    assert cli("build", str(a), "--jobs", "1", env=env_a).returncode == 0
    assert cli("build", str(b), "--jobs", "2", env=env_b).returncode == 0
    digest_a, digest_b = tree_digest(a / "output"), tree_digest(b / "output")
    assert digest_a == digest_b
    assert not any(str(tmp_path).encode() in p.read_bytes()
                   for p in (a / "output").rglob("*") if p.is_file())
