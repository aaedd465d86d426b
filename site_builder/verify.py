"""Tamper check: a deployed copy (a folder or a URL) against the build's manifest.

As the web-tamper checks of GA/T 1358 do: a daily job fetches every published file and
lists each one whose bytes differ from what the build made, is missing, or (for a folder)
was added.
"""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from site_builder.write.manifest import read_manifest

FETCHERS = 8  # requests at once: gentle on a department's web server
TIMEOUT = 30  # seconds a request may take


@dataclass(frozen=True)
class Verdict:
    checked: int
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    added: tuple[str, ...]  # folders only: a server lists nothing
    unreadable: tuple[tuple[str, str], ...]  # (path, why)

    @property
    def ok(self) -> bool:
        return not (self.changed or self.missing or self.added or self.unreadable)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify_folder(folder: Path, manifest: dict[str, str]) -> Verdict:
    changed, missing, unreadable = [], [], []
    for path, digest in sorted(manifest.items()):
        try:
            data = (folder / path).read_bytes()
        except FileNotFoundError:
            missing.append(path)
            continue
        except OSError as exc:
            unreadable.append((path, str(exc)))
            continue
        if _digest(data) != digest:
            changed.append(path)
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    added = sorted(present - set(manifest))
    return Verdict(len(manifest), tuple(changed), tuple(missing), tuple(added),
                   tuple(unreadable))


def _fetch(url: str) -> tuple[int, bytes | None, str]:
    request = urllib.request.Request(url, headers={"User-Agent": "site-builder-verify"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return response.status, response.read(), ""
    except urllib.error.HTTPError as exc:
        return exc.code, None, str(exc)
    except (urllib.error.URLError, OSError) as exc:
        return 0, None, str(getattr(exc, "reason", exc))


def verify_url(base: str, manifest: dict[str, str]) -> Verdict:
    base = base if base.endswith("/") else base + "/"
    paths = sorted(manifest)
    with ThreadPoolExecutor(FETCHERS) as pool:
        results = list(pool.map(lambda p: _fetch(base + quote(p)), paths))
    changed, missing, unreadable = [], [], []
    for path, (status, data, why) in zip(paths, results, strict=True):
        if status == 404 or status == 410:
            missing.append(path)
        elif data is None:
            unreadable.append((path, why or f"HTTP {status}"))
        elif _digest(data) != manifest[path]:
            changed.append(path)
    return Verdict(len(paths), tuple(changed), tuple(missing), (), tuple(unreadable))


def verify(target: str, manifest_file: Path) -> Verdict:
    """Compare `target` (a folder, or an http(s) URL of the site's root) with the manifest."""
    manifest = read_manifest(manifest_file)
    if target.startswith(("http://", "https://")):
        return verify_url(target, manifest)
    return verify_folder(Path(target), manifest)


def format_verdict(verdict: Verdict, target: str) -> str:
    lines = [f"核对 {target}：清单中 {verdict.checked} 个文件。"]
    for title, paths in (("内容被改动", verdict.changed), ("缺失", verdict.missing),
                         ("多出（清单里没有）", verdict.added)):
        if paths:
            lines.append(f"{title}：{len(paths)} 个")
            lines += [f"  {p}" for p in paths]
    if verdict.unreadable:
        lines.append(f"无法读取：{len(verdict.unreadable)} 个")
        lines += [f"  {p}（{why}）" for p, why in verdict.unreadable]
    lines.append("结论：与生成时一致。" if verdict.ok else
                 "结论：与生成时不一致，请核查服务器上的文件是否被篡改，并重新发布。")
    return "\n".join(lines)
