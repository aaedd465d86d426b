"""Check a form's text as the build would, before anything is written, and put each problem
at the input it concerns: the build's file:line:key becomes an input name."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from site_builder.build import check_candidates
from site_builder.core.config import BuildOptions
from site_builder.core.diagnostics import Diagnostic, Report, Severity
from site_builder.core.positions import Positions
from site_builder.incremental.session import Session
from site_builder.link.model import Model
from site_builder.load.files import body_from_bytes, record_from_bytes
from site_builder.load.sourcedoc import SourceDoc
from site_builder.validate.glossary import load_glossary, serious_diagnostic
from site_builder.workbench.kinds import RecordFile

FORM = "_form"  # problems no input is responsible for: shown above the form


@dataclass(frozen=True)
class Problem:
    field: str  # an input name (memberships.0.role), "body", or FORM
    severity: str  # error or warning
    message: str
    hint: str
    location: str  # file:line:col as the build prints it

    @property
    def error(self) -> bool:
        return self.severity == Severity.ERROR


class Checker:
    """The checks of a build without the render: one at a time, memos kept between them."""

    def __init__(self, site_dir: Path) -> None:
        self.options = BuildOptions(site_dir=site_dir, drafts=True, future=True, preview=True)
        self.session = Session()
        self._lock = threading.Lock()

    def check(self, candidates: dict[str, SourceDoc | None]) -> tuple[Report, Model]:
        with self._lock:
            return check_candidates(self.options, self.session, candidates)

    def model(self) -> Model:
        """The site as it is on disk (for the home list and the pickers)."""
        return self.check({})[1]


def candidate_docs(record: RecordFile, files: Mapping[str, bytes], report: Report
                   ) -> dict[str, SourceDoc | None]:
    """The documents the build would read from the new bytes (parse problems to `report`)."""
    out: dict[str, SourceDoc | None] = {}
    for rel, data in files.items():
        if rel == record.rel:
            out[rel] = record_from_bytes(data, rel, record.kind, record.slug, report)
        elif data:
            out[rel] = body_from_bytes(data, rel, record.slug, report)
        else:
            out[rel] = None  # an alliance's index.md emptied: the file goes
    return out


def problems_for(record: RecordFile, report: Report, positions: Positions | None,
                 body_line: int | None, texts: Mapping[str, str], content_dir: Path
                 ) -> list[Problem]:
    """The problems of this record's files, each at its input, plus wrong formulations; and
    the errors of other files (a change here can break a reference there): above the form."""
    mine = {record.rel, record.body_rel}
    found = [d for d in report.items if d.file in mine and d.code != "glossary-serious"]
    glossary = load_glossary(content_dir, Report())
    for rel, text in texts.items():
        found += [serious_diagnostic(hit, None) for hit in glossary.scan(text, rel)
                  if hit.entry.level == "严重"]
    out = [_problem(d, record, positions, body_line) for d in found]
    for d in report.items:
        if d.file not in mine and d.level == Severity.ERROR:
            out.append(Problem(FORM, d.level, f"这样保存会让 {d.location()} 出错：{d.message()}",
                               d.hint(), d.location()))
    return out


def _problem(d: Diagnostic, record: RecordFile, positions: Positions | None,
             body_line: int | None) -> Problem:
    return Problem(_field_of(d, record, positions, body_line), d.level, d.message(),
                   d.hint(), d.location())


_INDEX = re.compile(r"\[(\d+)\]")


def _field_of(d: Diagnostic, record: RecordFile, positions: Positions | None,
              body_line: int | None) -> str:
    if d.file != record.rel or (body_line is not None and d.line and d.line >= body_line):
        return "body" if record.body_rel else FORM
    if d.key:
        return _INDEX.sub(lambda m: "." + m.group(1), d.key)
    if d.line and positions is not None:  # no key given: the key whose line it is on
        best = ""
        for path in positions.keys:
            line, _ = positions.of_key(path)
            if line == d.line:
                best = ".".join(str(p) for p in path)
        return best or FORM
    return FORM
