"""Run every check of the audit on a built (not written) site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from site_builder.audit.channels import check_channels
from site_builder.audit.columns import check_columns
from site_builder.audit.findings import Finding
from site_builder.audit.freshness import check_freshness, column_dates
from site_builder.audit.history import check_backdating
from site_builder.audit.origins import check_origins
from site_builder.audit.text import check_personal, check_terms
from site_builder.core.outputs import Output
from site_builder.link.model import Model
from site_builder.load.gitdates import read_git_dates


@dataclass(frozen=True)
class Audit:
    """Everything the audit found, with the figures its report starts with."""

    site_title: str
    base_url: str
    today: dt.date
    findings: tuple[Finding, ...]
    columns: tuple[tuple[str, str, dt.date | None, int], ...]  # kind, name, newest, items
    git_head: str

    @property
    def fails(self) -> bool:
        """Whether a finding would fail an inspection outright."""
        return any(f.level == "严重" for f in self.findings)

    def count(self, level: str) -> int:
        return sum(1 for f in self.findings if f.level == level)


def audit_site(model: Model, outputs: Iterable[Output], content_dir: Path) -> Audit:
    """Inspect a site: its model (content), its rendered pages, its content files."""
    today = model.config.today
    git = read_git_dates(content_dir)
    found: list[Finding] = []
    found += check_freshness(model, content_dir, today)
    found += check_columns(model)
    found += check_terms(content_dir)
    found += check_personal(content_dir)
    found += check_backdating(model, content_dir, git)
    found += check_origins(outputs, model.config.base_url)
    found += check_channels(model)
    return Audit(model.config.title, model.config.base_url, today,
                 tuple(sorted(found, key=Finding.sort_key)), tuple(column_dates(model)),
                 git.head)
