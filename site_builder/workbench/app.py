"""The workbench's pages and its answers to the preview's requests under /_edit/ and /_new/.

    GET  /_edit/               every record by kind, with search
    GET  /_edit/<path>         a record's form (?delete: what deleting it would break)
    POST /_edit/<path>         save (or delete), checked as the build checks
    GET  /_new/<kind>          a blank form; POST writes the new file
    POST /_edit/_markdown      the body's live preview
    POST /_edit/_position      a pasted position read, or a map click converted
    POST /_edit/_upload        a dropped photo stored under content/
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

import jinja2

from site_builder.core.diagnostics import Report
from site_builder.render.maps import provider_for
from site_builder.workbench import coordinates
from site_builder.workbench.catalog import catalog, choices
from site_builder.workbench.checking import Checker, Problem
from site_builder.workbench.documents import PathRefused, open_record, safe_path
from site_builder.workbench.editing import (
    Outcome,
    create,
    delete,
    save,
    save_text,
    users_of,
)
from site_builder.workbench.fields import form_fields
from site_builder.workbench.guard import CSRF_FIELD, TOKEN_COOKIE, Guard, parse_cookies
from site_builder.workbench.importing import KIND_WORDS, Imports, export_bytes, parse_multipart
from site_builder.workbench.kinds import KIND_LABELS, NEW_KINDS, RecordFile, record_file
from site_builder.workbench.services import (
    CSP,
    HERE,
    Reply,
    Request,
    markdown_reply,
    one,
    position_reply,
    slug_reply,
    static_reply,
    upload_reply,
)
from site_builder.workbench.values import FileValues, PostedValues, input_names

PREFIXES = ("/_edit", "/_new", "/_import")
# What the form's script asks for while an editor types: they write nothing under content/
# but a dropped photo, which gets a name of its own (uploads.py).
_HELPERS = frozenset({"/_edit/_markdown", "/_edit/_position", "/_edit/_slug",
                      "/_edit/_upload"})
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
def handles(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PREFIXES)


class Workbench:
    """Forms over one site's content/ files, answering the preview's requests."""

    def __init__(self, site_dir: Path, guard: Guard, *,
                 saved: Callable[[Iterable[str]], None] = lambda _files: None,
                 known: Callable[[], Iterable[str]] = lambda: (),
                 log: Callable[[str], None] = print) -> None:
        self.site_dir, self.content_dir = site_dir, site_dir / "content"
        self.guard = guard
        self.saved = saved  # waits until the preview has rebuilt with the written files
        self.known = known  # the paths of the built site (for the Markdown preview's links)
        self.checker = Checker(site_dir)
        self.imports = Imports(self.content_dir)
        # One write at a time: the check that the file is as the form saw it and the write
        # must not interleave with another save (two tabs, two colleagues).
        self._writing = threading.Lock()
        self.log = log
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                                      autoescape=True, trim_blocks=True, lstrip_blocks=True)

    # ---- dispatch --------------------------------------------------------------------

    def handle(self, req: Request) -> Reply:
        """Answer one request; a fault in the workbench is a page saying so, never a
        traceback (and never a half-written file: writes are whole or not at all)."""
        try:
            return self._handle(req)
        except Exception:  # the preview must keep serving
            self.log(traceback.format_exc().rstrip())
            return self.notice(500, "出了意外的问题",
                               "编辑工作台处理这个请求时出错，文件没有被改动。详细信息在运行 "
                               "site-builder serve 的终端窗口里，请发给技术人员。")

    def _handle(self, req: Request) -> Reply:
        if not self.guard.enabled:
            return self.notice(403, "编辑功能已关闭", "预览开放在网络上时，只有用 --edit-token "
                               "启动才能编辑。请在本机上运行 site-builder serve 来编辑。")
        if req.path.startswith("/_edit/_static/"):
            return static_reply(req.path.rsplit("/", 1)[-1])
        cookies = parse_cookies(req.headers.get("Cookie"))
        form: dict[str, list[str]] = {}
        kind_of_body = req.headers.get("Content-Type", "")
        if req.method == "POST" and kind_of_body.startswith("multipart/form-data"):
            upload = parse_multipart(kind_of_body, req.body)
            form, req = upload.fields, replace(req, files=upload.files)
        elif req.method == "POST" and req.path != "/_edit/_upload":
            form = parse_qs(req.body.decode("utf-8", "replace"), keep_blank_values=True)
        if req.path == "/_edit/_login":
            return self.login(req, form, cookies)
        if not self.guard.signed_in(cookies):
            return Reply(303, headers=(("Location", "/_edit/_login"),))
        if req.method != "POST":
            return self.route(req, form)
        why = self.guard.may_write(req.headers, cookies, one(form, CSRF_FIELD))
        if why:
            return self.notice(403, "没有保存", why)
        if req.path in _HELPERS:  # typing in a form must not wait for another tab's save
            return self.route(req, form)
        with self._writing:
            return self.route(req, form)

    def route(self, req: Request, form: dict[str, list[str]]) -> Reply:
        path, post = req.path, req.method == "POST"
        if path in ("/_edit", "/_edit/"):
            return self.home(req.query)
        if path.startswith("/_import") or path == "/_edit/_export":
            return self.sheets(req, form)
        if post and path == "/_edit/_markdown":
            return markdown_reply(self.known(), one(form, "text") or "")
        if post and path == "/_edit/_position":
            return position_reply(form)
        if post and path == "/_edit/_upload":
            return upload_reply(self.content_dir, req)
        if post and path == "/_edit/_slug":
            return slug_reply(self.content_dir, one(form, "kind") or "", one(form, "name") or "")
        if path.startswith("/_new/"):
            kind = path[len("/_new/"):].strip("/")
            if kind not in NEW_KINDS:
                return self.notice(404, "没有这种内容", f"“{kind}”不是可以新建的内容种类。")
            return self.created(kind, form) if post else self.new_form(kind, req.query)
        rel = path[len("/_edit/"):]
        record = record_file(rel)
        try:
            if record is not None:
                safe_path(self.content_dir, rel)
        except PathRefused:
            record = None
        if record is None:
            return self.notice(404, "找不到这个文件", f"“{rel}”不是可以在这里编辑的内容文件。")
        if post:
            return self.post_record(record, form)
        if "delete" in parse_qs(req.query, keep_blank_values=True):
            return self.confirm_delete(record)
        if not safe_path(self.content_dir, rel).is_file():
            return self.notice(404, "找不到这个文件", f"content/{rel} 不存在。")
        query = parse_qs(req.query, keep_blank_values=True)
        opened = open_record(self.content_dir, record)
        if "text" in query or not opened.readable:
            return self.text_form(record, saved="saved" in query)
        return self.edit_form(record, saved="saved" in query)

    # ---- pages -----------------------------------------------------------------------

    def page(self, name: str, status: int = 200, **context: Any) -> Reply:
        html = self.env.get_template(name).render(csrf=self.guard.csrf, **context)
        return Reply(status, html.encode(), headers=(("Content-Security-Policy", CSP),))

    def notice(self, status: int, title: str, message: str,
               link: tuple[str, str] | None = ("/_edit/", "回到编辑工作台")) -> Reply:
        return self.page("notice.html", status, title=title, message=message, link=link)

    def home(self, query: str = "") -> Reply:
        entries = catalog(self.content_dir, self.checker.model())
        params = parse_qs(query, keep_blank_values=True)
        return self.page("home.html", title="编辑工作台", kinds=KIND_LABELS, entries=entries,
                         imported=one(params, "imported"), deleted="deleted" in params)

    def _form_context(self, kind: str, entries: dict[str, list[Any]] | None = None
                      ) -> dict[str, Any]:
        model = self.checker.model()
        entries = entries or catalog(self.content_dir, model)
        refs = {k: choices(entries[k]) for k in ("alliance", "enterprise", "station")}
        provider = provider_for(model.config.map, Report())
        layer = provider.layers[0]
        map_config = {"tiles": layer.url, "attribution": layer.attribution,
                      "subdomains": layer.subdomains, "maxZoom": layer.max_zoom,
                      "datum": provider.datum}
        return {"fields": form_fields(kind), "refs": refs, "map_config": map_config,
                "sources": coordinates.SOURCES,
                "body": kind in ("story", "page", "alliance")}

    def edit_form(self, record: RecordFile, *, saved: bool = False,
                  outcome: Outcome | None = None, form: dict[str, list[str]] | None = None
                  ) -> Reply:
        opened = open_record(self.content_dir, record)
        values = PostedValues(form) if form is not None else FileValues(opened.raw_value,
                                                                         opened.body)
        problems = _placed(outcome.problems if outcome else [],
                           input_names(form_fields(record.kind), values) | {"body"})
        for d in opened.problems if form is None else ():
            problems.setdefault("_form", []).append(
                Problem("_form", "error", d.message(), d.hint(), d.location()))
        entries = catalog(self.content_dir, self.checker.model())
        entry = next((e for e in entries[record.kind] if e.record.rel == record.rel), None)
        title = entry.title if entry else record.slug
        status = 409 if outcome and outcome.conflict else 422 if outcome else 200
        return self.page("form.html", status, title=title, heading=f"编辑{_word(record)}：{title}",
                         rel=record.rel, action="/_edit/" + quote(record.rel), values=values,
                         problems=problems, base=opened.base, saved=saved, new=False,
                         page_url=entry.url if entry else None,
                         conflict=outcome.conflict if outcome else None,
                         error_count=outcome.errors if outcome else 0,
                         **self._form_context(record.kind, entries))

    def new_form(self, kind: str, query: str, outcome: Outcome | None = None,
                 form: dict[str, list[str]] | None = None) -> Reply:
        values = PostedValues(form if form is not None else _starter(kind, query))
        return self.page("form.html", 422 if outcome else 200, title=f"新建{KIND_LABELS[kind]}",
                         heading=f"新建{KIND_LABELS[kind]}", rel="", action=f"/_new/{kind}",
                         values=values, problems=_placed(
                             outcome.problems if outcome else [],
                             input_names(form_fields(kind), values) | {"body", "_slug"}),
                         base="", saved=False, new=True, slug=one(form or {}, "_slug") or "",
                         page_url=None, conflict=None,
                         error_count=outcome.errors if outcome else 0,
                         **self._form_context(kind))

    def post_record(self, record: RecordFile, form: dict[str, list[str]]) -> Reply:
        if one(form, "_action") == "delete":
            entry = self._entry(record)
            outcome = delete(self.checker, self.content_dir, record, form,
                             entry.url if entry else None)
            if outcome.written:
                self.saved(outcome.written)
                return Reply(303, headers=(("Location", "/_edit/?deleted"),))
            return self.edit_form(record, outcome=outcome)
        if "_text" in form:
            outcome = save_text(self.checker, self.content_dir, record, form)
        else:
            outcome = save(self.checker, self.content_dir, record.rel, record, form)
        if outcome.conflict is None and not outcome.errors:
            self.saved(outcome.written)
            readable = open_record(self.content_dir, record).readable
            where = "?saved" if readable or "_text" not in form else "?text&saved"
            return Reply(303, headers=(("Location", "/_edit/" + quote(record.rel) + where),))
        if "_text" in form:
            return self.text_form(record, outcome=outcome, typed=one(form, "_text"))
        return self.edit_form(record, outcome=outcome, form=form)

    def text_form(self, record: RecordFile, *, saved: bool = False,
                  outcome: Outcome | None = None, typed: str | None = None) -> Reply:
        opened = open_record(self.content_dir, record)
        if outcome is not None:
            problems = outcome.problems
        else:
            problems = [Problem("_form", "error", d.message(), d.hint(), d.location())
                        for d in opened.problems]
        status = 409 if outcome and outcome.conflict else 422 if outcome else 200
        return self.page("text.html", status, title=record.rel,
                         heading=f"修改文件的文字：{record.rel}", rel=record.rel,
                         action="/_edit/" + quote(record.rel), readable=opened.readable,
                         text=typed if typed is not None else opened.text, base=opened.base,
                         problems=problems, saved=saved,
                         conflict=outcome.conflict if outcome else None,
                         error_count=outcome.errors if outcome else 0)

    def created(self, kind: str, form: dict[str, list[str]]) -> Reply:
        outcome = create(self.checker, self.content_dir, kind, form)
        if outcome.errors or outcome.record is None:
            return self.new_form(kind, "", outcome, form)
        self.saved(outcome.written)
        return Reply(303, headers=(("Location", "/_edit/" + quote(outcome.record.rel)
                                    + "?saved"),))

    def confirm_delete(self, record: RecordFile) -> Reply:
        entry = self._entry(record)
        users = users_of(self.checker, record, entry.url if entry else None)
        opened = open_record(self.content_dir, record)
        return self.page("delete.html", title=entry.title if entry else record.slug,
                         rel=record.rel, gone=_going(self.content_dir, record), users=users,
                         base=opened.base)

    def sheets(self, req: Request, form: dict[str, list[str]]) -> Reply:
        """/_import: upload, plan, confirm; /_edit/_export: the workbook to fill in."""
        if req.path == "/_edit/_export":
            kind = one(parse_qs(req.query), "kind") or ""
            data = export_bytes(self.site_dir, kind)
            if data is None:
                return self.notice(404, "不能导出", "有内容文件读不出，或内容种类不对。")
            return Reply(200, data, XLSX, (("Content-Disposition",
                                            f'attachment; filename="{kind}.xlsx"'),))
        page = {"title": "从表格导入", "kinds": KIND_WORDS, "plan": None, "problem": "",
                "kind": one(parse_qs(req.query), "kind") or "enterprises"}
        if req.method != "POST":
            return self.page("import.html", **page)
        if req.path.rstrip("/") == "/_import/apply":
            written, problem = self.imports.apply(one(form, "token") or "")
            if problem:
                return self.page("import.html", 409, **{**page, "problem": problem})
            self.saved(written)
            return Reply(303, headers=(("Location", f"/_edit/?imported={len(written)}"),))
        filename, data = req.files.get("file", ("", b""))
        kind = one(form, "kind") or ""
        plan, token, problem = self.imports.plan(kind, filename, data)
        return self.page("import.html", 422 if problem else 200,
                         **{**page, "plan": plan, "token": token, "problem": problem,
                            "plan_kind": kind, "kind": kind})

    def _entry(self, record: RecordFile) -> Any:
        entries = catalog(self.content_dir, self.checker.model())[record.kind]
        return next((e for e in entries if e.record.rel == record.rel), None)

    def login(self, req: Request, form: dict[str, list[str]],
              cookies: Mapping[str, str]) -> Reply:
        if req.method != "POST":
            return self.page("login.html", title="输入编辑口令", wrong=False)
        why = self.guard.may_write(req.headers, {TOKEN_COOKIE: self.guard.edit_token or ""},
                                   one(form, CSRF_FIELD))
        if why or not self.guard.token_matches(one(form, "token") or ""):
            return self.page("login.html", 403, title="输入编辑口令", wrong=True)
        cookie = f"{TOKEN_COOKIE}={self.guard.edit_token}; Path=/; HttpOnly; SameSite=Strict"
        return Reply(303, headers=(("Location", "/_edit/"), ("Set-Cookie", cookie)))

    # ---- helpers the form's script calls ----------------------------------------------

def _placed(problems: list[Problem], names: set[str]) -> dict[str, list[Problem]]:
    """Problems by the input they are shown at; those of no input go above the form."""
    out: dict[str, list[Problem]] = {}
    for p in problems:
        out.setdefault(p.field if p.field in names else "_form", []).append(p)
    return out


def _going(content_dir: Path, record: RecordFile) -> list[str]:
    """Every file a delete removes: an alliance's whole folder (images, documents too)."""
    if record.kind != "alliance":
        return [record.rel]
    folder = content_dir / "alliances" / record.slug
    return sorted(p.relative_to(content_dir).as_posix() for p in folder.rglob("*")
                  if p.is_file() or p.is_symlink())


def _word(record: RecordFile) -> str:
    return KIND_LABELS.get(record.kind, "")


def _starter(kind: str, query: str) -> dict[str, list[str]]:
    """What a blank form starts with: one empty item where one is required, and the
    alliance the editor came from (?alliance=…)."""
    params = parse_qs(query)
    alliance = one(params, "alliance") or ""
    start: dict[str, list[str]] = {}
    if kind == "enterprise":
        start = {"memberships.0.alliance": [alliance], "memberships.0._orig": [""]}
    elif kind == "alliance":
        start = {"industries.0": [""], "industries.0._orig": [""]}
    elif kind in ("story", "station") and alliance:
        start = {"alliances.0": [alliance], "alliances.0._orig": [""]}
    elif kind == "listing" and alliance:
        start = {"alliance": [alliance]}
    return start

