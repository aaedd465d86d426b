"""Fixtures shared by the integration tests."""

from __future__ import annotations

import pytest

from site_builder.incremental.deps import TrackingEnvironment


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """Count, in this process, templates compiled and map shapes made by folium."""
    import site_builder.render.mapshapes as maps

    calls: dict[str, list[str]] = {"compile": [], "shape": []}
    compile_ = TrackingEnvironment.compile
    build_map = maps.build_map

    def compiling(self, source, name=None, filename=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["compile"].append(str(name))
        return compile_(self, source, name, filename, *args, **kwargs)

    def shaping(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["shape"].append(str(args[-1] if args else kwargs))
        return build_map(*args, **kwargs)

    monkeypatch.setattr(TrackingEnvironment, "compile", compiling)
    monkeypatch.setattr(maps, "build_map", shaping)
    return calls
