"""The files of `.cache/`: plain values in marshal format, written atomically.

marshal rather than pickle: loading a pickle can run code, and `.cache/` is only a
folder beside the content. Every file starts with a header of versions; a file from
another version, a damaged one or a missing one reads as None and is simply rebuilt.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import zlib
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent.parent  # site_builder/


@functools.cache
def code_stamp() -> str:
    """A digest of the package's own source: part of every memo's key, so a change to any
    module (not only a new release number) is never answered from an older build's memo."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def package_version(name: str, module: str | None = None) -> str:
    """An installed package's version, for cache headers, without importing the package
    (`module`, when its name is not the package's: PIL for pillow).

    Read from its `.dist-info` folder name beside it; importlib.metadata (which pulls in
    the email package) is only the fallback: every build needs a few of these."""
    spec = importlib.util.find_spec(module or name)
    if spec is not None and spec.origin:
        where = Path(spec.origin).parent.parent
        stem = name.replace("-", "_")
        found = [p for p in where.glob("*.dist-info")
                 if p.name.lower().startswith(stem.lower() + "-")]
        if len(found) == 1:
            return found[0].name[len(stem) + 1:-len(".dist-info")]
    from importlib import metadata

    return metadata.version(name)


Stamp = tuple[int, int, int]  # (size, mtime_ns, inode): a file is the one seen before


def stamp_of(st: os.stat_result) -> Stamp:
    """The stamp of a file from its stat: the one stamp every memo compares."""
    return st.st_size, st.st_mtime_ns, st.st_ino


def file_stamp(path: str) -> Stamp | None:
    """The stamp of the file at `path`, or None when there is none."""
    try:
        return stamp_of(os.stat(path))
    except OSError:
        return None


# A memo file: MAGIC, the length of the head, the head (code stamp, the memo's own header,
# the digest of the body), then the body (the value, marshalled). A file whose head or digest
# does not match (another version of the code, a flipped bit, a same-length edit, a file cut
# short) reads as None: the memo is simply made again.
MAGIC = b"SBMEMO1\n"


def _digest(body: bytes) -> bytes:
    return hashlib.blake2b(body, digest_size=16).digest()


def encode(header: tuple[Any, ...], value: Any) -> bytes:
    """The bytes of a memo file holding `value` under `header`."""
    body = marshal.dumps(value)
    head = marshal.dumps((code_stamp(), *header, _digest(body)))
    return MAGIC + len(head).to_bytes(4, "little") + head + body


def decode(raw: bytes, header: tuple[Any, ...]) -> Any:
    """The value encode() stored under the same header, or None."""
    if not raw.startswith(MAGIC):
        return None
    at = len(MAGIC) + 4
    size = int.from_bytes(raw[len(MAGIC):at], "little")
    try:
        head = marshal.loads(raw[at:at + size])
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(head, tuple) or tuple(head[:-1]) != (code_stamp(), *header):
        return None
    body = raw[at + size:]
    if head[-1] != _digest(body):
        return None
    try:
        return marshal.loads(body)
    except (ValueError, EOFError, TypeError):  # the digest matched: not reached in practice
        return None


def save(path: Path, header: tuple[Any, ...], value: Any) -> None:
    """Write `value` under (code stamp, *header) with a digest; a read-only folder is no
    error."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(encode(header, value))
        os.replace(tmp, path)  # readers see the old file or the new one, never half


def load(path: Path, header: tuple[Any, ...]) -> Any:
    """The value saved with the same versions, or None."""
    return load_stamped(path, header)[0]


def load_stamped(path: Path, header: tuple[Any, ...]) -> tuple[Any, Stamp | None]:
    """load(), and the stamp of the very file it read (None when there was none): two
    processes that read the same stamp read the same bytes, even if another build replaces
    the file meanwhile."""
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            raw = f.read()
    except OSError:
        return None, None
    return decode(raw, header), (st.st_size, st.st_mtime_ns, st.st_ino)


# ---- sharded memos: an edit re-saves only the sixteenth its file is in --------------------

SHARDS = 16


def shard_of(key: str) -> int:
    """The shard a key (a content path, a digest) is kept in."""
    return zlib.crc32(key.encode("utf-8", "surrogateescape")) % SHARDS


def shard_path(path: Path, shard: int) -> Path:
    """`.cache/name.marshal` -> `.cache/name-07.marshal`."""
    return path.with_name(f"{path.stem}-{shard:02}{path.suffix}")


def load_shard(path: Path, shard: int, header: tuple[Any, ...]) -> Any:
    return load(shard_path(path, shard), header)


def save_shards(path: Path, header: tuple[Any, ...], shards: dict[int, Any]) -> None:
    """Save each of `shards` (shard number -> value) in its own file."""
    for shard, value in sorted(shards.items()):
        save(shard_path(path, shard), header, value)
