"""Output: one file of the built site, the value every stage after render passes on."""

from __future__ import annotations


class Output:
    """One file of the site. A page reused from the previous build reads its bytes from
    there (`origin`) only if something asks for them: the writer hard-links it unread."""

    __slots__ = ("_data", "origin", "path", "source", "stat")

    def __init__(self, path: str, data: bytes | None = None, source: str = "",
                 origin: str | None = None,
                 stat: tuple[int, int, int] | None = None) -> None:
        self.path = path  # relative to the output folder, forward slashes
        self._data = data
        self.source = source  # the content file or template that produced a page
        self.origin = origin  # the file it is reused from (absolute path)
        self.stat = stat  # (size, mtime_ns, inode) of `origin`, when just checked

    @property
    def data(self) -> bytes:
        if self._data is None:
            assert self.origin is not None
            with open(self.origin, "rb") as f:
                self._data = f.read()
        return self._data

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Output) and (self.path, self.data, self.source) == (
            other.path, other.data, other.source)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Output({self.path!r}, {len(self.data)} bytes)"
