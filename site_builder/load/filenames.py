"""Names and links that cannot be published: checked before a file is read.

A file name is part of a URL and of every message about the file. One that was not UTF-8
(unpacked from an old archive: Python hands its bytes over as lone surrogates, and
printing or encoding them raised) or that holds control characters (an ESC recolours the
terminal, a newline forges a line of the report) is refused here, and the messages show
it escaped (diagnostics.visible). A symbolic link that loops or points nowhere is refused
too: reading it raised a traceback.
"""

from __future__ import annotations

import errno
import os
import unicodedata

from site_builder.core.diagnostics import L, Report

# Control (Cc), format (Cf: bidi overrides, zero-width spaces), lone surrogates (Cs: bytes
# that were not UTF-8) and line/paragraph separators: invisible or acted upon.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

_NOT_UTF8 = L("不是 UTF-8 编码的字符（常见于从旧的压缩包里解出的文件）",
              "bytes that are not UTF-8 (common in files unpacked from old archives)")
_CONTROL = L("看不见的控制字符或格式字符", "invisible control or format characters")


def check_name(rel: str, report: Report) -> bool:
    """Whether every part of `rel` can be published; report the first part that cannot
    (a folder once, however many files it holds: the report drops repeats)."""
    if rel.isprintable():  # nearly every name: no character to look at one by one
        return True
    parts = rel.split("/")
    for n, part in enumerate(parts):
        categories = {unicodedata.category(c) for c in part}
        if categories & _UNSAFE:
            where = "/".join(parts[:n + 1])
            report.emit("bad-file-name", where, name=part,
                        problem=_NOT_UTF8 if "Cs" in categories else _CONTROL)
            return False
    return True


def check_link(rel: str, abspath: str, report: Report) -> bool:
    """Whether the symbolic link at `abspath` leads to a file; report a loop or a link to
    nothing."""
    try:
        os.stat(abspath)
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
        report.emit("broken-symlink", rel, problem=L(
            "它指向自己（形成了循环），读不到任何文件", "loops back on itself")
            if loop else L("它指向的文件不存在", "points to a file that does not exist"))
        return False
    return True
