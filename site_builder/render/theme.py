"""The theme: templates and assets from the site's own folders first, then the built-in theme;
its Jinja environment; its assets and vendored scripts as outputs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2
import jinja2.bccache

from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import L, Report
from site_builder.core.outputs import Output
from site_builder.incremental.deps import (
    TrackingEnvironment,
)
from site_builder.link.model import Model
from site_builder.render.i18n import FoldTranslations, format_number
from site_builder.render.images import ProcessedImages
from site_builder.render.maps import (
    VendorError,
    vendor_files,
)


@dataclass(frozen=True)
class Theme:
    """Where templates and assets come from: the site's own folder first, then the theme."""

    template_dirs: tuple[Path, ...]
    asset_dirs: tuple[Path, ...]
    site_template_dir: Path | None = None


def theme_root() -> Path:
    """The built-in theme: inside the installed package, or the repo's top level."""
    package = Path(__file__).resolve().parent.parent  # site_builder/
    installed = package / "theme"
    return installed if (installed / "templates").is_dir() else package.parent


def find_theme(site_dir: Path) -> Theme:
    root = theme_root()
    site_templates = site_dir / "templates"
    templates = tuple(p for p in (site_templates, root / "templates") if p.is_dir())
    assets = tuple(p for p in (site_dir / "assets", root / "assets") if p.is_dir())
    return Theme(templates, assets, site_templates if site_templates.is_dir() else None)


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory; Jinja checks each one against its source."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        # What a template compiles to depends on the language too (translations folded in).
        salt = getattr(environment, "fold_salt", "")
        return super().get_bucket(environment, f"{name}\0{salt}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


def theme_environment(theme: Theme, lang: str,
                      bytecode_cache: jinja2.BytecodeCache | None = None) -> TrackingEnvironment:
    """The theme's Jinja environment without the site's globals: everything a template's
    compiled code depends on (its settings, filters and folded translations)."""
    env = TrackingEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        # One environment per build: templates cannot change meanwhile, so Jinja need
        # not stat every template file on every get_template (three per page).
        auto_reload=False,
    )
    env.fold, env.fold_salt = FoldTranslations(lang), f"t:{lang}"
    env.filters.update(
        date=lambda d: d.format(lang) if isinstance(d, PartialDate) else (d or ""),
        iso=lambda d: str(d) if d else "",
        num=lambda v: format_number(v, lang),
    )
    return env


def asset_url(versions: Mapping[str, str], name: str, root: str) -> str:
    """The URL of asset `name` (under assets/) from a page at `root`, with its version."""
    path = f"assets/{name}"
    version = versions.get(path)
    return root + path + (f"?v={version}" if version else "")


def asset_outputs(theme: Theme) -> list[Output]:
    """Theme assets, each overridden by a site asset with the same name."""
    found: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):  # theme first, then the site's on top
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not any(p.startswith(".") for p in rel.split("/")):
                found[rel] = path
    return [Output(f"assets/{rel}", found[rel].read_bytes()) for rel in sorted(found)]


def content_outputs(model: Model, images: ProcessedImages) -> list[Output]:
    """Media and alliance files at the same place under the output (huge images shrunk),
    then the image variants."""
    out = [Output(a.path, images.files.get(a.path) or a.abspath.read_bytes())
           for a in model.assets]
    assets = {a.path for a in model.assets}
    out += [Output(path, data) for path, data in sorted(images.files.items())
            if path not in assets]
    return out


def vendor_outputs(report: Report) -> list[Output]:
    """Leaflet and its cluster plugin, served from the site (never from a CDN)."""
    try:
        return [Output(f"assets/vendor/{rel}", data) for rel, data in vendor_files()]
    except VendorError as exc:
        report.emit("vendor-integrity", None, problem=L(str(exc), str(exc)))
        return []


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]
