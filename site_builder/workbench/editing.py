"""Save, create and delete records from posted forms: check as the build does, then write
only what changed, or nothing."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path

from site_builder.core.diagnostics import Report
from site_builder.core.pinyin import term_slug
from site_builder.sheets.newfile import record_text
from site_builder.workbench.changes import MISSING, Changes, Form, FormReader, last, name_of
from site_builder.workbench.checking import FORM, Checker, Problem, candidate_docs, problems_for
from site_builder.workbench.documents import Opened, open_record, safe_path, write_files
from site_builder.workbench.fields import form_fields
from site_builder.workbench.kinds import KIND_LABELS, RecordFile, new_record_file, valid_slug
from site_builder.workbench.textedit import apply_changes


@dataclass
class Outcome:
    """What a save came to: written, refused with problems, or refused as stale."""

    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    conflict: dict[str, str] | None = None  # disk text and what was posted
    record: RecordFile | None = None

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.error)


def posted_body(form: Form) -> str | None:
    body = last(form, "body")
    return None if body is None else body.replace("\r\n", "\n").replace("\r", "\n")


def _new_body(old: str | None, posted: str | None) -> str | None:
    """The body to write, or None when the posted one says the same (blank lines around it
    are not content: a textarea drops the first newline)."""
    if posted is None or (old or "").strip("\n") == posted.strip("\n"):
        return None
    lead = "\n" if old is None or old.startswith("\n") else ""
    return lead + posted.strip("\n") + "\n" if posted.strip() else lead


def _form_problems(changes: Changes, kind: str) -> list[Problem]:
    out = [Problem(name, "error", message, "", "") for name, (_, message)
           in changes.problems.items()]
    for path in changes.required_empty:
        spec_label = _label(kind, path)
        out.append(Problem(name_of(path), "error", f"“{spec_label}”必填，请填写。", "", ""))
    return out


def _label(kind: str, path: tuple[str | int, ...]) -> str:
    for view in form_fields(kind):
        if view.key == path[0]:
            if len(path) == 1:
                return view.label
            children = view.item.children if view.item else view.children
            for child in children:
                if child.key == path[-1]:
                    return child.label
            return view.label
    return str(path[-1])


def _label_of(kind: str, name: str) -> str:
    """An input's name in words: memberships.0.role → 加入的联盟 第 1 项 · 角色."""
    words: list[str] = []
    views = form_fields(kind)
    for part in name.split("."):
        if part.isdigit():
            words[-1:] = [f"{words[-1]} 第 {int(part) + 1} 项"] if words else []
            continue
        view = next((v for v in views if v.key == part), None)
        if view is None:
            return name if name != "body" else "正文"
        words.append(view.label)
        views = view.item.children if view.item else view.children
    return " · ".join(words)


def _check(checker: Checker, content_dir: Path, opened: Opened,
           files: dict[str, bytes]) -> list[Problem]:
    record = opened.record
    report = Report()
    docs = candidate_docs(record, files, report)
    full, _ = checker.check(docs)
    report.extend(full.items)
    doc = docs.get(record.rel)
    texts = {rel: data.decode("utf-8", "replace") for rel, data in files.items()}
    return problems_for(record, report, doc.positions if doc else None,
                        doc.body_line if doc and record.front_matter else None, texts,
                        content_dir)


def _not_before(now: list[Problem], before: list[Problem]) -> list[Problem]:
    """A problem the file had before this save (caused elsewhere, say) does not stop it:
    it is shown as a warning, so an editor can still save what they came to change."""
    known = {(p.field, p.message) for p in before if p.error}
    return [replace(p, severity="warning", hint=(p.hint + " （修改前就有这个问题。）").strip())
            if (p.field, p.message) in known else p for p in now]


def save(checker: Checker, content_dir: Path, rel: str, record: RecordFile,
         form: Form) -> Outcome:
    """Write the form's changes to `record`'s file if the build would accept them."""
    opened = open_record(content_dir, record)
    if last(form, "_base") != opened.base:
        mine = "\n".join(f"{_label_of(record.kind, k)}：{v[-1]}" for k, v in form.items()
                         if not k.startswith("_") and not k.endswith("._orig") and v and v[-1])
        return Outcome(conflict={"disk": opened.text, "mine": mine}, record=record)
    reader = FormReader(form, opened.raw_value)
    reader.compare(form_fields(record.kind), (), opened.data, ())
    yaml_text = apply_changes(opened.yaml_text, reader.changes)
    body = _new_body(opened.body, posted_body(form)) if record.body_rel else None
    files = opened.files(yaml_text, body)
    problems = _form_problems(reader.changes, record.kind)
    if files:
        problems += _unexplained(problems, _not_before(
            _check(checker, content_dir, opened, files), _check(checker, content_dir, opened, {})))
    outcome = Outcome(problems, record=record)
    if files and not outcome.errors:
        write_files(content_dir, files)
        outcome.written = sorted(files)
    return outcome


def save_text(checker: Checker, content_dir: Path, record: RecordFile, form: Form
              ) -> Outcome:
    """Write the whole file as typed in the text editor (for a file the form cannot read,
    or for an editor who prefers the text): the same checks, the same refusal when stale.
    A problem the file already had does not stop the save, so slips are fixed one by one."""
    opened = open_record(content_dir, record)
    if last(form, "_base") != opened.base:
        return Outcome(conflict={"disk": opened.text, "mine": last(form, "_text") or ""},
                       record=record)
    files = opened.text_files(last(form, "_text") or "")
    problems: list[Problem] = []
    if files:
        problems = _not_before(_check(checker, content_dir, opened, files),
                               _check(checker, content_dir, opened, {}))
    outcome = Outcome(problems, record=record)
    if files and not outcome.errors:
        write_files(content_dir, files)
        outcome.written = sorted(files)
    return outcome


def _unexplained(known: list[Problem], checked: list[Problem]) -> list[Problem]:
    """The build's problems, except at inputs the form's reading already explained: an
    impossible typed date gets its precise message once, not the build's generic one too."""
    explained = {p.field for p in known if p.error}
    return [p for p in checked if p.field not in explained]


def propose_slug(name: str, taken: set[str]) -> str:
    """A file name from the name's pinyin: 沙钢集团 → shagangjituan; numbered if taken."""
    base = term_slug(name) if name.strip() else "new"
    if not valid_slug(base):
        base = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")[:56] or "new"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def create(checker: Checker, content_dir: Path, kind: str, form: Form) -> Outcome:
    """Write a new record from the form, in the commented layout of `site-builder new`."""
    slug = (last(form, "_slug") or "").strip()
    problems: list[Problem] = []
    record = new_record_file(kind, slug) if valid_slug(slug) else None
    if record is None:
        problems.append(Problem("_slug", "error", "文件名只能用小写英文字母、数字和单个连字符，"
                                "例如 shagang-group。", "", ""))
    elif safe_path(content_dir, record.rel).exists() or (
            kind == "alliance" and safe_path(content_dir, f"alliances/{slug}").exists()):
        problems.append(Problem("_slug", "error", f"已经有名为“{slug}”的{kind_word(kind)}，"
                                "请换一个文件名。", "", ""))
    reader = FormReader(form, lambda _p: MISSING)
    reader.compare(form_fields(kind), (), {}, ())
    problems += _form_problems(reader.changes, kind)
    if record is None or any(p.error for p in problems if p.field == "_slug"):
        return Outcome(problems)
    data = {str(path[0]): value for path, value in reader.changes.sets}
    text = record_text(kind, data, "由编辑工作台新建。")
    opened = open_record(content_dir, record)
    body = posted_body(form) if record.body_rel else None
    if record.front_matter:
        files = {record.rel: ("---\n" + text + "---\n\n" + (body or "").strip("\n")
                              + "\n").encode()}
    else:
        files = {record.rel: text.encode()}
        if kind == "alliance" and body and body.strip():
            files[record.body_rel or ""] = (body.strip("\n") + "\n").encode()
    problems += _unexplained(problems, _not_before(
        _check(checker, content_dir, opened, files), _check(checker, content_dir, opened, {})))
    outcome = Outcome(problems, record=record)
    if not outcome.errors:
        write_files(content_dir, files)
        outcome.written = sorted(files)
    return outcome


def kind_word(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class User:
    rel: str
    title: str
    line: int | None


def users_of(checker: Checker, record: RecordFile, url: str | None) -> list[User]:
    """The records that would break without `record`: references to it, links to its page."""
    gone: dict[str, object] = {record.rel: None}
    if record.body_rel and record.body_rel != record.rel:
        gone[record.body_rel] = None
    report, model = checker.check(gone)  # type: ignore[arg-type]
    found: dict[str, User] = {}
    for d in report.items:
        if d.code.startswith("dangling-ref") and d.file and d.file not in gone:
            found.setdefault(d.file, User(d.file, d.file, d.line))
    if url:  # Markdown links to its page are found by the render, so look for them here
        for item in model.index.values():
            for rel in {item.file, item.body_file} - {None, record.rel, record.body_rel}:
                text = safe_path(model.content_dir, str(rel)).read_text("utf-8", "replace")
                if url in text:
                    found.setdefault(str(rel), User(str(rel), item.title, None))
    titles = {i.file: i.title for i in model.index.values()}
    return [User(u.rel, titles.get(u.rel, u.title), u.line) for u in found.values()]


def delete(checker: Checker, content_dir: Path, record: RecordFile, form: Form,
           url: str | None) -> Outcome:
    opened = open_record(content_dir, record)
    if last(form, "_base") != opened.base:
        return Outcome(conflict={"disk": opened.raw.decode("utf-8", "replace"), "mine": ""},
                       record=record)
    users = users_of(checker, record, url)
    if users:
        return Outcome([Problem(FORM, "error", "还有内容引用它，没有删除：" + "、".join(
            u.rel for u in users), "", "")], record=record)
    if record.kind == "alliance":  # its folder goes whole: images left alone fail the build
        shutil.rmtree(safe_path(content_dir, f"alliances/{record.slug}"))
    else:
        safe_path(content_dir, record.rel).unlink()
    return Outcome(written=[record.rel], record=record)

