"""The workbench's writes change only what the editor changed: every other byte of the file
(comments, key order, quoting, blank lines, untouched dates) stays as it was."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from site_builder.workbench.app import Request, Workbench
from site_builder.workbench.guard import Guard
from tests.conftest import REPO, copy_site
from tests.formpost import FormPost

ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_site(REPO, tmp_path_factory.mktemp("wb") / "site")


@pytest.fixture(scope="module")
def bench(site: Path) -> Workbench:
    return Workbench(site, Guard(enabled=True))


def _get(bench: Workbench, path: str) -> tuple[int, str]:
    reply = bench.handle(Request("GET", path, "", {"Host": "127.0.0.1:8000"}))
    return reply.status, reply.body.decode()


def _form(bench: Workbench, rel: str) -> list[tuple[str, str]]:
    status, page = _get(bench, "/_edit/" + rel)
    assert status == 200, page
    parser = FormPost()
    parser.feed(page)
    return parser.data


def _post(bench: Workbench, path: str, data: list[tuple[str, str]]) -> tuple[int, str]:
    headers = {"Host": "127.0.0.1:8000", "Origin": ORIGIN}
    reply = bench.handle(Request("POST", path, "", headers, urlencode(data).encode()))
    return reply.status, reply.body.decode()


def _set(data: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    assert any(k == name for k, _ in data), name
    return [(k, value if k == name else v) for k, v in data]


def _diff(before: bytes, after: bytes) -> list[str]:
    """The changed lines, as '-old' and '+new'."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        before.decode().splitlines(True), after.decode().splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def _edit(bench: Workbench, site: Path, rel: str, change: dict[str, str]) -> list[str]:
    path = site / "content" / rel
    before = path.read_bytes()
    data = _form(bench, rel)
    for name, value in change.items():
        data = _set(data, name, value)
    status, page = _post(bench, "/_edit/" + rel, data)
    assert status == 303, page
    return _diff(before, path.read_bytes())


def test_posting_any_form_unchanged_writes_nothing(bench: Workbench, site: Path) -> None:
    # Every record of the demo: drafts stay drafts, bare values stay, dates stay as written.
    content = site / "content"
    rels = sorted(p.relative_to(content).as_posix() for p in content.rglob("*")
                  if p.suffix in (".yaml", ".md") and p.name not in ("glossary.yaml", "index.md"))
    assert len(rels) > 100
    for rel in rels:
        before = (content / rel).read_bytes()
        status, page = _post(bench, "/_edit/" + rel, _form(bench, rel))
        assert status == 303, (rel, page)
        assert (content / rel).read_bytes() == before, rel


def test_text_edit_rewrites_only_that_value(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    old = next(line for line in (site / "content" / rel).read_text().splitlines()
               if line.startswith("short_name:"))
    assert _edit(bench, site, rel, {"short_name": "沙钢（测试）"}) == [
        "-" + old, "+short_name: 沙钢（测试）"]


def test_number_date_and_enumeration_edits(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    text = (site / "content" / rel).read_text()
    assert "party_org:" in text
    diff = _edit(bench, site, rel, {"party_org.members": "1234"})
    assert diff[-1] == "+  members: 1234" and len(diff) <= 2, diff  # set, or added
    diff = _edit(bench, site, rel, {"memberships.0.segment": "下游"})
    assert len(diff) == 2 and diff[1].strip().endswith("segment: 下游"), diff
    rel = "listings/" + sorted(p.name for p in (site / "content" / "listings").iterdir())[0]
    diff = _edit(bench, site, rel, {"posted": "2024年3月5日"})
    assert len(diff) == 2 and diff[1] == "+posted: 2024-03-05", diff


def test_reference_edit(bench: Workbench, site: Path) -> None:
    rel = "listings/" + sorted(p.name for p in (site / "content" / "listings").iterdir())[0]
    data = dict(_form(bench, rel))
    other = next(p.name for p in (site / "content" / "alliances").iterdir()
                 if p.name != data["alliance"])
    diff = _edit(bench, site, rel, {"alliance": other})
    # Moving a listing to another alliance may make its enterprise's membership check fail;
    # the listing's own line is the one that changes.
    assert diff[1] == f"+alliance: {other}", diff


def test_list_item_added_and_removed(bench: Workbench, site: Path) -> None:
    rel = "alliances/zhangjiagang-three-chains/alliance.yaml"
    path = site / "content" / rel
    before = path.read_bytes()
    data = _form(bench, rel)
    n = max(int(k.split(".")[1]) for k, _ in data if k.startswith("mechanisms.")) + 1
    data += [(f"mechanisms.{n}._orig", ""), (f"mechanisms.{n}.name", "新机制"),
             (f"mechanisms.{n}.description", "每月一次。")]
    status, page = _post(bench, "/_edit/" + rel, data)
    assert status == 303, re.findall(r"wb-(?:error|notice)[^>]*>(.*?)</(?:p|div)>", page, re.S)
    diff = _diff(before, path.read_bytes())
    assert all(line.startswith("+") for line in diff) and "新机制" in "".join(diff), diff
    middle = path.read_bytes()
    data = [(k, v) for k, v in _form(bench, rel) if not k.startswith(f"mechanisms.{n}.")]
    assert _post(bench, "/_edit/" + rel, data)[0] == 303
    assert path.read_bytes() == before  # removing the added item gives the file back
    del middle


def test_body_edit_keeps_the_front_matter(bench: Workbench, site: Path) -> None:
    rel = "stories/" + sorted(p.name for p in (site / "content" / "stories").iterdir())[0]
    path = site / "content" / rel
    before = path.read_text()
    data = dict(_form(bench, rel))
    new_body = data["body"].rstrip("\n") + "\n\n新增的一段话。\n"
    diff = _edit(bench, site, rel, {"body": new_body})
    assert diff == ["+", "+新增的一段话。"], diff
    head = before.split("\n---\n", 1)[0]
    assert path.read_text().startswith(head)


def test_invalid_value_writes_nothing_and_names_the_field(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    before = path.read_bytes()
    status, page = _post(bench, "/_edit/" + rel, _set(_form(bench, rel), "website", "不是网址"))
    assert status == 422
    assert 'data-for="website"' in page
    assert path.read_bytes() == before


def test_crlf_and_bom_kept(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    _edit(bench, site, rel, {"short_name": "沙钢"})
    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\r\n") == before.count(b"\r\n")
    assert b"\n" not in after.replace(b"\r\n", b"")


def test_conflict_when_the_file_changed_since_the_form_opened(bench: Workbench,
                                                               site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    data = _set(_form(bench, rel), "short_name", "表单里的新简称")
    path.write_bytes(path.read_bytes() + b"# added in a text editor\n")
    before = path.read_bytes()
    status, page = _post(bench, "/_edit/" + rel, data)
    assert status == 409 and "表单里的新简称" in page and "added in a text editor" in page
    assert path.read_bytes() == before


def test_new_record_has_the_commented_layout(bench: Workbench, site: Path) -> None:
    alliance = sorted(p.name for p in (site / "content" / "alliances").iterdir())[0]
    data = [("_csrf", bench.guard.csrf), ("_slug", "wb-test-company"),
            ("name", "工作台测试有限公司"), ("memberships.0._orig", ""),
            ("memberships.0.alliance", alliance), ("memberships.0.role", "成员企业"),
            ("memberships.0.segment", "中游")]
    status, page = _post(bench, "/_new/enterprise", data)
    assert status == 303, page
    text = (site / "content" / "enterprises" / "wb-test-company.yaml").read_text()
    assert text.startswith("# 成员单位") and "name: 工作台测试有限公司" in text
    assert "# 链主 / 龙头企业" in text  # the accepted values beside the key, as `new` writes


def test_forged_writes_are_refused(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    before = path.read_bytes()
    data = _set(_form(bench, rel), "short_name", "伪造")
    body = urlencode(data).encode()
    for headers in ({"Host": "127.0.0.1:8000"},
                    {"Host": "127.0.0.1:8000", "Origin": "http://evil.example"}):
        reply = bench.handle(Request("POST", "/_edit/" + rel, "", headers, body))
        assert reply.status == 403
    no_token = urlencode([(k, v) for k, v in data if k != "_csrf"]).encode()
    reply = bench.handle(Request("POST", "/_edit/" + rel, "",
                                 {"Host": "127.0.0.1:8000", "Origin": ORIGIN}, no_token))
    assert reply.status == 403
    for bad in ("../site.yaml", "enterprises/../../x.yaml", "media/x.yaml"):
        assert _post(bench, "/_edit/" + bad, data)[0] == 404
    assert path.read_bytes() == before


def test_a_file_the_form_cannot_read_opens_as_text_and_is_fixed_there(
        bench: Workbench, site: Path) -> None:
    rel = "stations/" + sorted(p.name for p in (site / "content" / "stations").iterdir())[0]
    path = site / "content" / rel
    good = path.read_text(encoding="utf-8")
    broken = good.replace("name: ", "name：", 1)  # a full-width colon typed in Notepad
    path.write_text(broken, encoding="utf-8")
    status, page = _get(bench, "/_edit/" + rel)
    assert status == 200 and 'name="_text"' in page and "表单读不出" in page
    assert "第 1 行" in page or ":1:" in page  # the slip is named at its line
    base = re.search(r'name="_base" value="([^"]+)"', page)
    assert base is not None
    worse = broken + "hours：全天\n"  # a new slip is refused; the old one alone would not be
    form = [("_csrf", bench.guard.csrf), ("_base", base.group(1)), ("_text", worse)]
    status, page = _post(bench, "/_edit/" + rel, form)
    assert status == 422 and path.read_text(encoding="utf-8") == broken
    form[-1] = ("_text", good)
    status, page = _post(bench, "/_edit/" + rel, form)
    assert status == 303, page
    assert path.read_text(encoding="utf-8") == good
    assert _get(bench, "/_edit/" + rel)[1].count('name="_text"') == 0  # the form again


def test_a_fault_is_a_page_not_a_traceback(bench: Workbench, site: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    logged: list[str] = []
    monkeypatch.setattr(bench, "log", logged.append)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(bench, "home", broken)
    status, page = _get(bench, "/_edit/")
    assert status == 500 and "文件没有被改动" in page and "Traceback" not in page
    assert "RuntimeError: boom" in logged[0]


def _multipart(fields: dict[str, str], filename: str, data: bytes) -> tuple[str, bytes]:
    boundary = "----sbtest7MA4YWxkTrZu0gW"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
             .encode() for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 .encode() + data + b"\r\n")
    return f"multipart/form-data; boundary={boundary}", b"".join(parts) + \
        f"--{boundary}--\r\n".encode()


def test_import_a_sheet_from_the_browser(bench: Workbench, site: Path) -> None:
    import io

    import openpyxl

    reply = bench.handle(Request("GET", "/_edit/_export", "kind=stations",
                                 {"Host": "127.0.0.1:8000"}))
    assert reply.status == 200 and reply.body.startswith(b"PK")
    book = openpyxl.load_workbook(io.BytesIO(reply.body))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    hours = next(i for i, h in enumerate(header) if h and "开放时间" in str(h)) + 1
    name_col = next(i for i, h in enumerate(header) if h and "名称" in str(h)) + 1
    station_name = sheet.cell(2, name_col).value
    sheet.cell(2, hours).value = "周一至周日 8:00–20:00"
    out = io.BytesIO()
    book.save(out)
    content_type, body = _multipart({"_csrf": bench.guard.csrf, "kind": "stations"},
                                    "阵地名单.xlsx", out.getvalue())
    headers = {"Host": "127.0.0.1:8000", "Origin": ORIGIN, "Content-Type": content_type}
    reply = bench.handle(Request("POST", "/_import", "", headers, body))
    page = reply.body.decode()
    assert reply.status == 200 and "确认写入" in page and "更新" in page, page
    token = re.search(r'name="token" value="([^"]+)"', page)
    assert token is not None
    target = next(p for p in (site / "content" / "stations").iterdir()
                  if f"name: {station_name}" in p.read_text(encoding="utf-8"))
    before = target.read_text(encoding="utf-8")
    status, page = _post(bench, "/_import/apply", [("_csrf", bench.guard.csrf),
                                                  ("token", token.group(1))])
    assert status == 303, page
    after = target.read_text(encoding="utf-8")
    assert "周一至周日 8:00–20:00" in after and after != before
    # The same plan cannot be applied twice.
    status, page = _post(bench, "/_import/apply", [("_csrf", bench.guard.csrf),
                                                  ("token", token.group(1))])
    assert status == 409 and "重新上传" in page


def test_network_preview_edits_only_with_the_token(site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    closed = Workbench(site, Guard.for_serve(loopback=False, edit_token=None))
    reply = closed.handle(Request("GET", "/_edit/", "", {"Host": "10.0.0.5:8000"}))
    assert reply.status == 403 and "编辑功能已关闭" in reply.body.decode()

    bench = Workbench(site, Guard.for_serve(loopback=False, edit_token="s3cret-token"))
    host = {"Host": "10.0.0.5:8000", "Origin": "http://10.0.0.5:8000"}
    reply = bench.handle(Request("GET", "/_edit/" + rel, "", host))
    assert reply.status == 303 and dict(reply.headers)["Location"] == "/_edit/_login"
    wrong = urlencode([("_csrf", bench.guard.csrf), ("token", "guess")]).encode()
    assert bench.handle(Request("POST", "/_edit/_login", "", host, wrong)).status == 403
    right = urlencode([("_csrf", bench.guard.csrf), ("token", "s3cret-token")]).encode()
    reply = bench.handle(Request("POST", "/_edit/_login", "", host, right))
    cookie = dict(reply.headers)["Set-Cookie"].split(";")[0]
    assert reply.status == 303 and "HttpOnly" in dict(reply.headers)["Set-Cookie"]

    page = bench.handle(Request("GET", "/_edit/" + rel, "", {**host, "Cookie": cookie}))
    parser = FormPost()
    parser.feed(page.body.decode())
    data = _set(parser.data, "short_name", "凭口令修改")
    before = path.read_bytes()
    body = urlencode(data).encode()
    reply = bench.handle(Request("POST", "/_edit/" + rel, "", host, body))
    assert reply.status == 303 and dict(reply.headers)["Location"] == "/_edit/_login"
    assert path.read_bytes() == before  # without the token's cookie: nothing written
    reply = bench.handle(Request("POST", "/_edit/" + rel, "", {**host, "Cookie": cookie}, body))
    assert reply.status == 303 and "凭口令修改" in path.read_text(encoding="utf-8")


def _write(site: Path, rel: str, text: str) -> Path:
    path = site / "content" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_values_the_form_cannot_show_are_left_as_written(bench: Workbench, site: Path) -> None:
    rel = "stories/wb-bare-values.md"
    alliance = sorted(p.name for p in (site / "content" / "alliances").iterdir())[0]
    path = _write(site, rel, f"---\ntitle: 单值\ndate: 2024-03-05\nsummary: 摘要。\n"
                             f"alliances: {alliance}\ntags: 营商环境\n---\n\n正文。\n")
    diff = _edit(bench, site, rel, {"summary": "新的摘要。"})
    assert diff == ["-summary: 摘要。", "+summary: 新的摘要。"], diff
    assert f"alliances: {alliance}\ntags: 营商环境" in path.read_text(encoding="utf-8")
    path.unlink()


def test_a_draft_stays_a_draft(bench: Workbench, site: Path) -> None:
    rel = "stories/wb-draft.md"
    path = _write(site, rel, "---\ntitle: 草稿\ndate: 2024-03-05\nsummary: 摘要。\n"
                             "draft: yes\n---\n\n正文。\n")
    assert 'name="draft" value="true" checked' in _get(bench, "/_edit/" + rel)[1]
    diff = _edit(bench, site, rel, {"title": "还是草稿"})
    assert diff == ["-title: 草稿", "+title: 还是草稿"], diff
    path.unlink()


def test_an_edit_after_removing_a_list_item_is_kept(bench: Workbench, site: Path) -> None:
    rel = "alliances/songjiang-g60-clusters/alliance.yaml"
    path = site / "content" / rel
    data = _form(bench, rel)
    units = [(k, v) for k, v in data if k.startswith("stats.") and k.endswith(".unit")]
    assert len(units) >= 2
    kept = [(k, v) for k, v in data if not k.startswith("stats.0.")]
    kept = [(k, "家（测试）" if k == "stats.1.unit" else v) for k, v in kept]
    status, page = _post(bench, "/_edit/" + rel, kept)
    assert status == 303, page
    assert "家（测试）" in path.read_text(encoding="utf-8")


def test_a_save_that_breaks_another_file_is_refused(bench: Workbench, site: Path) -> None:
    rel = "enterprises/shagang-group.yaml"
    path = site / "content" / rel
    data = _form(bench, rel)
    role = next(k for k, v in data if k.endswith(".role") and v == "链主")
    before = path.read_bytes()
    status, page = _post(bench, "/_edit/" + rel, _set(data, role, "成员企业"))
    assert status == 422 and "这样保存会让 alliances/zhangjiagang-three-chains/" in page
    assert path.read_bytes() == before


def test_an_alliance_body_keeps_its_own_bom_and_line_endings(bench: Workbench,
                                                               site: Path) -> None:
    rel = "alliances/zhangjiagang-three-chains/alliance.yaml"
    body = site / "content" / "alliances" / "zhangjiagang-three-chains" / "index.md"
    body.write_bytes(b"\xef\xbb\xbf" + "第一段。\r\n\r\n第二段。\r\n".encode())
    _edit(bench, site, rel, {"body": "第一段。\n\n第二段，改过。\n"})
    assert body.read_bytes() == b"\xef\xbb\xbf" + "第一段。\r\n\r\n第二段，改过。\r\n".encode()


def test_a_number_written_with_a_comma_is_not_rewritten(bench: Workbench, site: Path) -> None:
    rel = "enterprises/wb-comma.yaml"
    alliance = sorted(p.name for p in (site / "content" / "alliances").iterdir())[0]
    path = _write(site, rel, f"name: 逗号测试有限公司\nmemberships:\n  - alliance: {alliance}\n"
                             "    role: 成员企业\n    segment: 中游\nparty_org:\n  type: 党委\n"
                             "  members: 1,200\n")
    before = path.read_bytes()
    assert _post(bench, "/_edit/" + rel, _form(bench, rel))[0] in (303, 422)
    assert path.read_bytes() == before
    path.unlink()


def test_import_never_writes_through_a_link_out_of_content(bench: Workbench, site: Path,
                                                          tmp_path: Path) -> None:
    import shutil

    outside = tmp_path / "outside"
    stations = site / "content" / "stations"
    shutil.move(stations, outside)
    stations.symlink_to(outside)
    try:
        csv = "名称,地址,类型,纬度,经度\n测试阵地,某路1号,党建工作站,31.5,120.3\n".encode()
        content_type, body = _multipart({"_csrf": bench.guard.csrf, "kind": "stations"},
                                        "阵地.csv", csv)
        headers = {"Host": "127.0.0.1:8000", "Origin": ORIGIN, "Content-Type": content_type}
        page = bench.handle(Request("POST", "/_import", "", headers, body)).body.decode()
        token = re.search(r'name="token" value="([^"]+)"', page)
        before = sorted(p.name for p in outside.iterdir())
        if token:
            status, page = _post(bench, "/_import/apply", [("_csrf", bench.guard.csrf),
                                                          ("token", token.group(1))])
            assert status == 409
        assert sorted(p.name for p in outside.iterdir()) == before
    finally:
        stations.unlink()
        shutil.move(outside, stations)
