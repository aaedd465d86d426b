"""`new` and `init`: commented starting files that build as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_builder.core.starters import SITE_YAML, TEMPLATES
from site_builder.validate.values import SLUG_MAX, SLUG_RE

KINDS = ("alliance", "enterprise", "story", "station", "listing", "page")


class ScaffoldError(Exception):
    """A scaffold request that cannot be carried out (bad slug, file exists)."""


def _first_slug(folder: Path, pattern: str, default: str) -> str:
    found = sorted(folder.glob(pattern)) if folder.is_dir() else []
    for path in found:
        name = path.parent.name if path.name.startswith("alliance.") else path.stem
        if SLUG_RE.match(name):
            return name
    return default


def new_file(site_dir: Path, kind: str, slug: str) -> Path:
    """Write a commented file of `kind` named `slug`; never overwrite."""
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise ScaffoldError(
            f"“{slug}”不能用作文件名：只用小写英文字母、数字和单个连字符 / "
            f"'{slug}' is not a valid slug (lower-case letters, digits, single hyphens)"
        )
    content = site_dir / "content"
    if not content.is_dir():
        raise ScaffoldError(f"{content} 不存在 / does not exist (site-builder init DIR)")
    target = {
        "alliance": content / "alliances" / slug / "alliance.yaml",
        "enterprise": content / "enterprises" / f"{slug}.yaml",
        "story": content / "stories" / f"{slug}.md",
        "station": content / "stations" / f"{slug}.yaml",
        "listing": content / "listings" / f"{slug}.yaml",
        "page": content / "pages" / f"{slug}.md",
    }[kind]
    if target.exists():
        raise ScaffoldError(f"{target} 已存在，不会覆盖 / already exists")
    alliance = _first_slug(content / "alliances", "*/alliance.y*ml", "my-alliance")
    text = TEMPLATES[kind].replace("{alliance}", alliance).replace(
        "{today}", dt.date.today().isoformat())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def init_site(directory: Path) -> Path:
    """Create a new site folder with a small example that builds."""
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(f"{directory} 已存在且不为空 / exists and is not empty")
    content = directory / "content"
    (content / "media").mkdir(parents=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    # The built site and the image cache are made from content: not for version control.
    # .output.spare (and a killed build's staging folder) sit beside output/.
    (directory / ".gitignore").write_text("/output/\n/.output.*\n/.cache/\n", encoding="utf-8")
    new_file(directory, "alliance", "example-chain")
    # The scaffolds reference the first alliance, which now exists.
    new_file(directory, "enterprise", "example-company")
    new_file(directory, "station", "example-station")
    new_file(directory, "listing", "example-resource")
    new_file(directory, "page", "about")
    story = new_file(directory, "story", "first-story")
    story.write_text(story.read_text(encoding="utf-8").replace("draft: true", "draft: false"),
                     encoding="utf-8")
    return directory
