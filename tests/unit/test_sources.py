"""Load stage: decoding, front matter with line offsets, YAML positions."""

from __future__ import annotations

from pathlib import Path

from site_builder.diagnostics import Report
from site_builder.sources import (
    format_key,
    is_ignored,
    load_sources,
    parse_yaml,
    read_record,
    split_front_matter,
)


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
