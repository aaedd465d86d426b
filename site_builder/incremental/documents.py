"""The memo of parsed documents: a file whose size, time and inode are as last time is not
read again. Kept in 16 shards by file name (an edit re-saves one sixteenth)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from site_builder.core import cachefile
from site_builder.load.sourcedoc import DocMemo, doc_from_row, doc_to_row

DOC_MEMO_VERSION = 5  # rows (rel, stamp, document row): a head, then a packed tail
DOC_MEMO_FILE = "sources.marshal"
_HEADER = (DOC_MEMO_VERSION, yaml.__version__)


def save_doc_memo(memo: DocMemo, path: Path, changed: Iterable[str] | None = None) -> None:
    """Keep the parsed documents for the next `build` (a fresh process); with `changed`
    (files added, changed or gone), only their shards are saved."""
    shards = (set(range(cachefile.SHARDS)) if changed is None
              else {cachefile.shard_of(rel) for rel in changed})
    rows: dict[int, list[Any]] = {k: [] for k in shards}
    for rel, (stamp, d) in sorted(memo.items()):
        shard = cachefile.shard_of(rel)
        if shard in rows:
            rows[shard].append((rel, stamp, doc_to_row(d)))
    cachefile.save_shards(path, _HEADER, rows)


def load_doc_memo(path: Path) -> DocMemo:
    """The documents a previous build read; a shard missing, damaged or outdated is empty."""
    memo: DocMemo = {}
    for shard in range(cachefile.SHARDS):
        try:
            rows = cachefile.load_shard(path, shard, _HEADER) or ()
            memo.update({rel: (tuple(stamp), doc_from_row(row)) for (rel, stamp, row) in rows})
        except (ValueError, TypeError):  # not what we wrote: parse again
            continue
    return memo
