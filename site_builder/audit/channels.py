"""What the footer and the site must offer: filing block, consultation channel, 审图号."""

from __future__ import annotations

from collections.abc import Iterator

from site_builder.audit.findings import Finding
from site_builder.core.config import FILING_REQUIRED, is_government
from site_builder.core.diagnostics import L
from site_builder.link.model import Model

# A free page whose title says it is for the public's questions and corrections.
CONSULTATION_WORDS = ("联系", "纠错", "咨询", "留言", "信箱", "互动", "找错", "Contact")


def check_channels(model: Model) -> Iterator[Finding]:
    config = model.config
    filing = config.filing
    for key, zh, en in FILING_REQUIRED:
        if not getattr(filing, key) and (is_government(config.base_url) or filing.shown):
            yield Finding("no-filing", "site.yaml", None, None,
                          {"name": key, "meaning": L(zh, en)})
    pages = [p for p in model.pages if any(w in p.title for w in CONSULTATION_WORDS)]
    if not (filing.contact or filing.error_report or pages):
        yield Finding("no-consultation", "site.yaml")
    has_map = bool(model.stations) or any(e.get("location") for e in model.enterprises)
    if has_map and not config.map.review_number:
        yield Finding("no-review-number", "site.yaml", None, None,
                      {"provider": config.map.provider})
