"""Load stage: decoding, front matter with line offsets, YAML positions."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import site_builder.core.pinyin as terms
import site_builder.load.sources as sources
from site_builder.core.diagnostics import Report
from site_builder.core.positions import format_key
from site_builder.load.files import is_ignored, read_record, split_front_matter
from site_builder.load.sources import load_sources
from site_builder.load.yamlpos import parse_yaml

_real_read_chunk = sources._read_chunk


def test_front_matter_positions_count_from_the_files_first_line(tmp_path: Path) -> None:
    path = tmp_path / "story.md"
    path.write_text("---\ntitle: 标题\ntags:\n  - 人才\n---\n\n正文\n", encoding="utf-8")
    doc = read_record(path, "stories/story.md", "story", "story", Report())
    assert doc.positions.keys[("title",)] == (2, 1)
    assert doc.positions.values[("tags", 0)] == (4, 5)
    assert doc.body_line == 6
    assert doc.body == "\n正文\n"


def test_bom_and_crlf_are_accepted_without_shifting_positions(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: A\r\nsummary: B\r\n")
    doc = read_record(path, "enterprises/x.yaml", "enterprise", "x", Report())
    assert doc.data == {"name": "A", "summary": "B"}
    assert doc.positions.keys[("summary",)] == (2, 1)


def test_blank_lines_before_front_matter_are_harmless() -> None:
    report = Report()
    split = split_front_matter("\n\n---\ntitle: A\n---\nbody", "pages/a.md", report)
    assert split == ("title: A", 3, "body", 6)
    assert len(report) == 0


def test_yaml_error_line_includes_the_front_matter_offset() -> None:
    report = Report()
    assert parse_yaml("title: A\nsummary: x: y\n", "stories/a.md", report, 1) is None
    (d,) = report.items
    assert (d.code, d.line, d.col) == ("yaml-syntax", 3, 11)


def test_duplicate_key_names_the_first_line() -> None:
    report = Report()
    parse_yaml("name: A\nsummary: B\nname: C\n", "enterprises/a.yaml", report)
    (d,) = report.items
    assert (d.code, d.line, d.key, d.args["first_line"]) == ("duplicate-key", 3, "name", 1)


def test_an_impossible_date_is_kept_as_text_for_the_schema_to_explain() -> None:
    data, _ = parse_yaml("posted: 2024-02-30\n", "listings/a.yaml", Report()) or ({}, None)
    assert data == {"posted": "2024-02-30"}


def test_editor_temporary_files_are_ignored() -> None:
    for name in (".a.yaml.swp", "a.yaml~", ".#a.yaml", "~$a.docx", ".DS_Store", "a.tmp"):
        assert is_ignored(name), name
    assert not is_ignored("a.yaml")


def test_unknown_files_are_reported_and_media_kept(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "media").mkdir(parents=True)
    (content / "media/a.pdf").write_bytes(b"%PDF")
    (content / "stories").mkdir()
    (content / "stories/notes.docx").write_bytes(b"x")
    (content / "stories/.notes.md.swp").write_bytes(b"x")
    (content / "site.yaml").write_text("title: T\nbase_url: https://e.org/\n", "utf-8")
    report = Report()
    sources = load_sources(content, report)
    assert [a.path for a in sources.assets] == ["media/a.pdf"]
    assert [(d.code, d.file) for d in report.items] == [("unexpected-file", "stories/notes.docx")]


def test_key_paths_read_like_the_yaml() -> None:
    assert format_key(("memberships", 1, "role")) == "memberships[1].role"
    assert format_key(()) == ""


def test_block_text_positions_point_at_its_first_line() -> None:
    parsed = parse_yaml("name: A\ndescription: |\n  第一行\n  第二行\n", "e.yaml", Report())
    assert parsed is not None
    assert parsed[1].values[("description",)] == (3, 3)


def test_upper_case_markdown_extension_is_read_as_markdown(tmp_path: Path) -> None:
    path = tmp_path / "S.MD"
    path.write_text("---\ntitle: T\n---\n正文\n", encoding="utf-8")
    doc = read_record(path, "stories/S.MD", "story", "S", Report())
    assert doc.ok and doc.data == {"title": "T"} and doc.body == "正文\n"


def test_a_content_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"---\ntitle: T\n---\n" + b"x" * (6 * 1024 * 1024))
    report = Report()
    doc = read_record(path, "pages/big.md", "page", "big", report)
    assert not doc.ok
    (d,) = report.items
    assert (d.code, d.message()) == ("file-too-large", "文件太大：6.0 MB，最多 5 MB。")


def _mixed_content(root: Path) -> Path:
    """A content folder with good files, dates, numbers as written and broken files."""
    content = root / "content"
    for folder in ("stories", "enterprises", "alliances/a"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text("title: T\nbase_url: https://e.org/\n", "utf-8")
    (content / "alliances/a/alliance.yaml").write_text("name: 联盟\nfounded: 2023-04-05\n",
                                                        "utf-8")
    (content / "alliances/a/index.md").write_text("## 简介\n正文\n", "utf-8")
    for i in range(40):
        (content / f"stories/s{i:02}.md").write_text(
            f"---\ntitle: 第{i}篇\ndate: 2024-01-{i % 28 + 1:02}\nfigures:\n"
            f"  - value: 0{i}12\n    at: 2024-02-03 08:00:00\n---\n\n正文 {i}\n", "utf-8")
        (content / f"enterprises/e{i:02}.yaml").write_text(
            f"name: 企业{i}\nphone: 05123456{i:02}\ntags: [甲, 乙]\n", "utf-8")
    (content / "stories/broken.md").write_text("---\ntitle: [未闭合\n---\n", "utf-8")
    (content / "enterprises/gbk.yaml").write_bytes("name: 企业".encode("gbk"))
    (content / "enterprises/dup.yaml").write_text("name: A\nname: B\n", "utf-8")
    return content


_PIDS: list[Path] = []  # where the spy below notes which process parsed a chunk


def _spying_read_chunk(files: list) -> object:
    with _PIDS[0].open("a") as out:
        out.write(f"{os.getpid()}\n")
    return _real_read_chunk(files)


def test_parsing_in_forked_processes_gives_the_serial_result(tmp_path: Path,
                                                             monkeypatch) -> None:
    content = _mixed_content(tmp_path)
    for i in range(1, 10):  # valid records too: the workers validate those
        (content / f"stories/ok{i}.md").write_text(
            f"---\ntitle: 好{i}\ndate: 2024-03-0{i}\nsummary: 摘要\n---\n正文\n", "utf-8")
    serial_report, parallel_report = Report(), Report()
    serial = load_sources(content, serial_report, None, jobs=1)
    monkeypatch.setattr(sources, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(sources, "_READ_CHUNK", 7)  # several chunks, returned in order
    monkeypatch.setattr(sources, "_read_chunk", _spying_read_chunk)
    monkeypatch.setattr(sys.modules[__name__], "_PIDS", [tmp_path / "pids"])
    monkeypatch.setattr(terms, "_SORT_KEYS", {})  # none known: the parent computes none
    from site_builder.incremental.validated import check_row

    parallel = load_sources(content, parallel_report, {}, jobs=2, check=check_row)
    # The process ids of a spied private function, kept on purpose: without them the
    # comparison with the serial result below could pass with no worker ever started.
    pids = set((tmp_path / "pids").read_text().split())
    assert pids and str(os.getpid()) not in pids  # worker processes parsed it all
    assert parallel.docs == serial.docs and len(serial.docs) == 94
    assert [d.format() for d in parallel_report.items] == [
        d.format() for d in serial_report.items]
    assert {d.file for d in serial_report.errors} == {
        "stories/broken.md", "enterprises/gbk.yaml", "enterprises/dup.yaml"}
    # the workers also made the pinyin sort keys of the names they read
    from pypinyin import lazy_pinyin

    assert terms.known_sort_keys()["企业7"] == " ".join(lazy_pinyin("企业7")).lower() == "qi ye 7"
    # The workers validated every record without a problem, as the parent would.
    from site_builder.incremental.validated import from_row
    from site_builder.validate.schema import validate_doc

    assert set(parallel.validated) == {f"stories/ok{i}.md" for i in range(1, 10)}
    assert not serial.validated  # one process: validated later, by the build
    for doc in parallel.docs:
        if doc.path in parallel.validated:
            theirs = from_row(doc, parallel.validated[doc.path])
            mine = validate_doc(doc, Report())
            assert theirs is not None and mine.ok
            assert (theirs.data, theirs.ok, theirs.positions) == (
                mine.data, mine.ok, mine.positions)
    story = next(d for d in parallel.docs if d.path == "stories/s03.md")
    assert story.positions.values[("figures", 0, "value")] == (5, 12)
    assert story.positions.raw[("figures", 0, "value")] == "0312"


def test_the_document_memo_gives_back_what_was_parsed(tmp_path: Path) -> None:
    import datetime as dt

    from site_builder.incremental.documents import load_doc_memo, save_doc_memo

    content = _mixed_content(tmp_path)
    memo: dict = {}
    first = load_sources(content, Report(), memo)
    assert len(memo) == 82  # the three broken files are read again next time
    save_doc_memo(memo, tmp_path / "sources.marshal")
    again = load_doc_memo(tmp_path / "sources.marshal")
    assert again.keys() == memo.keys()
    for rel, (stamp, doc) in again.items():
        assert stamp == memo[rel][0] and doc == memo[rel][1], rel
    story = again["stories/s03.md"][1]
    assert story.data["date"] == dt.date(2024, 1, 4)
    assert story.data["figures"][0]["at"] == dt.datetime(2024, 2, 3, 8, 0)
    assert story.positions.keys[("figures",)] == (4, 1)
    # Top-level positions are at hand without unpacking the tables (linking asks for them).
    fresh = memo["stories/s03.md"][1]
    story = load_doc_memo(tmp_path / "sources.marshal")["stories/s03.md"][1]
    assert story.positions.of_value(("title",)) == fresh.positions.of_value(("title",))
    assert story.positions.of_value(("nothing",)) == fresh.positions.of_value(())
    assert story.positions._packed is not None  # (still packed: the laziness is the point)
    assert story.positions.of_value(("figures", 0)) == fresh.positions.of_value(("figures", 0))
    # a second load takes every unchanged file from the memo, not from disk
    second = load_sources(content, Report(), again)
    assert all(a is b for a, b in zip(
        [d for d in second.docs if d.path in again],
        [again[d.path][1] for d in second.docs if d.path in again], strict=True))
    assert second.docs == first.docs


def test_an_edit_saves_only_the_memo_shard_of_its_file(tmp_path: Path) -> None:
    from site_builder.core.cachefile import shard_of as _shard_of
    from site_builder.incremental.documents import load_doc_memo, save_doc_memo

    content = _mixed_content(tmp_path)
    memo: dict = {}
    load_sources(content, Report(), memo)
    base = tmp_path / "cache" / "sources.marshal"
    save_doc_memo(memo, base)
    shards = sorted(base.parent.iterdir())
    assert len(shards) == 16
    stamps = {p.name: p.stat().st_mtime_ns for p in shards}
    time.sleep(0.01)
    edited = content / "stories/s05.md"
    edited.write_text(edited.read_text("utf-8").replace("第5篇", "第五篇"), "utf-8")
    before = dict(memo)
    load_sources(content, Report(), memo)
    changed = {rel for rel, known in memo.items() if before.get(rel) is not known}
    assert changed == {"stories/s05.md"}
    save_doc_memo(memo, base, changed)
    rewritten = {p.name for p in shards if p.stat().st_mtime_ns != stamps[p.name]}
    assert rewritten == {f"sources-{_shard_of('stories/s05.md'):02}.marshal"}
    again = load_doc_memo(base)
    assert again["stories/s05.md"][1].data["title"] == "第五篇"
    assert {rel: doc for rel, (_, doc) in again.items()} == {
        rel: doc for rel, (_, doc) in memo.items()}


def test_a_pasted_line_separator_is_named_and_read_as_a_space() -> None:
    # YAML counts U+2028 as a line break, the file's lines do not: once the cause of a
    # traceback and of a phone extension dropped with no word.
    from site_builder.load.yamlpos import parse_yaml

    report = Report()
    text = ("summary: 第一段\u2028  第二段\ndraft: false  # 写完后改为 false 或删掉这一行\n"
            "phone: 0512-1234 #8026\n")
    parsed = parse_yaml(text, "stories/x.md", report, 1)
    assert parsed is not None and parsed[0]["summary"] == "第一段   第二段"
    assert [(d.code, d.line) for d in report.items] == [("invisible-char", 2),
                                                        ("hash-cuts-text", 4)]


def test_a_repaired_slip_does_not_hide_a_problem_on_another_line() -> None:
    from site_builder.load.yamlpos import parse_yaml

    report = Report()
    assert parse_yaml("name:沙钢\nsummary: 口号: 链上党建\n", "x.yaml", report) is None
    assert [(d.code, d.line) for d in report.items] == [("colon-no-space", 1),
                                                        ("yaml-syntax", 2)]
