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


# path -> ((size, mtime_ns, inode) of the published file, its SHA-256): a file a rebuild
# linked unchanged from the last output is not read and hashed again (38,000 files at N=300).
Digests = dict[str, tuple[tuple[int, int, int], str]]


def manifest_text(outputs: Iterable[Output], out_dir: Path,
                  known: Digests | None = None) -> tuple[str, Digests]:
    """`<sha256>  <path>` for every file, sorted by path, and the digests by stamp for the
    next build. A file is hashed from the bytes published in `out_dir`, unless `known` has
    its digest for the very file (same size, time and inode)."""
    lines, now = [], {}
    known = known or {}
    for out in outputs:
        target = out_dir / out.path
        try:
            st = os.stat(target)
            stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        except OSError:
            stamp = None
        kept = known.get(out.path)
        if stamp is not None and kept is not None and tuple(kept[0]) == stamp:
            digest = kept[1]
        else:
            data = out._data if out._data is not None else target.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        if stamp is not None:
            now[out.path] = (stamp, digest)
        lines.append(f"{digest}  {out.path}\n")
    return "".join(sorted(lines, key=lambda line: line[66:])), now


def write_manifest(outputs: Iterable[Output], out_dir: Path,
                   known: Digests | None = None) -> Digests:
    """Write the manifest of a build just committed to `out_dir`, atomically; the digests
    by stamp, for the next build's `known`."""
    path = manifest_path(out_dir)
    text, now = manifest_text(outputs, out_dir, known)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temp, path)
    return now


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
