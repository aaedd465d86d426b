"""The manifest: every published file's SHA-256, kept beside the output, never inside it.

A copy inside output/ would be deployed with the site, and whoever can change the site
on the server could change its manifest to match. Beside it (`output.sha256` next to
`output/`), the manifest stays with the build (a CI artifact, the department's copy) and
`site-builder verify` compares the live site with it. The format is `sha256sum`'s, so
`cd output && sha256sum -c ../output.sha256` checks a copy without this program.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from site_builder.core.outputs import Output

SUFFIX = ".sha256"


def manifest_path(out_dir: Path) -> Path:
    """Where the manifest of `out_dir` is kept: `output/` → `output.sha256` beside it."""
    out = Path(os.path.abspath(out_dir))
    return out.with_name(out.name + SUFFIX)


def manifest_text(outputs: Iterable[Output], out_dir: Path) -> str:
    """`<sha256>  <path>` for every file, sorted by path. A page reused from the previous
    build is read from `out_dir`, where it has just been published."""
    lines = []
    for out in outputs:
        data = out._data if out._data is not None else (out_dir / out.path).read_bytes()
        lines.append(f"{hashlib.sha256(data).hexdigest()}  {out.path}\n")
    return "".join(sorted(lines, key=lambda line: line[66:]))


def write_manifest(outputs: Iterable[Output], out_dir: Path) -> Path:
    """Write the manifest of a build just committed to `out_dir`, atomically."""
    path = manifest_path(out_dir)
    text = manifest_text(outputs, out_dir)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    return path


def read_manifest(path: Path) -> dict[str, str]:
    """Path → SHA-256 from a manifest file (ValueError on a line that is not one)."""
    found: dict[str, str] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            raise ValueError(f"{path}:{n}")
        found[name] = digest
    return found
