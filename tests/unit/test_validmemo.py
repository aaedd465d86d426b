"""Validation results kept between builds: the same as validating again, or not used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import site_builder.incremental.validated as validmemo
from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import Report
from site_builder.incremental.documents import load_doc_memo, save_doc_memo
from site_builder.incremental.validated import load_validated, save_validated, shard_of, storable
from site_builder.load.sources import load_sources
from site_builder.validate.schema import validate_doc

DEMO = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture()
def content(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO, tmp_path / "content"))


def _fresh_process_docs(content: Path, cache: Path) -> list:
    """The documents as a new `build` process has them: from the document memo."""
    memo: dict = {}
    load_sources(content, Report(), memo)
    save_doc_memo(memo, cache / "sources.marshal")
    again = load_doc_memo(cache / "sources.marshal")
    return list(load_sources(content, Report(), again).docs)


def test_kept_results_equal_validating_again(content: Path, tmp_path: Path) -> None:
    docs = _fresh_process_docs(content, tmp_path)
    results = [validate_doc(d, Report()) for d in docs]
    kept = [v for v in results if storable(v)]
    assert len(kept) > 100
    save_validated(tmp_path / "validated.marshal", kept)
    later = _fresh_process_docs(content, tmp_path)
    loaded, stored = load_validated(tmp_path / "validated.marshal", later)
    assert stored == {v.doc.path for v in kept}
    by_path = {v.doc.path: v for v in kept}
    assert {v.doc.path for v in loaded} == set(by_path)
    dates = 0
    for v in loaded:
        fresh = by_path[v.doc.path]
        assert v.doc is not fresh.doc  # the later process's own document
        assert (v.data, v.ok, v.positions) == (fresh.data, fresh.ok, fresh.positions)
        dates += sum(isinstance(x, PartialDate) for x in v.data.values())
    assert dates > 10  # story dates, founding years: rebuilt as dates, not text


def test_an_edited_file_is_validated_again(content: Path, tmp_path: Path) -> None:
    docs = _fresh_process_docs(content, tmp_path)
    save_validated(tmp_path / "validated.marshal",
                   [v for v in (validate_doc(d, Report()) for d in docs) if storable(v)])
    story = sorted((content / "stories").glob("*.md"))[0]
    story.write_text(story.read_text("utf-8").replace("title:", "title: 改", 1), "utf-8")
    later = _fresh_process_docs(content, tmp_path)
    loaded, _ = load_validated(tmp_path / "validated.marshal", later)
    rel = f"stories/{story.name}"
    assert rel not in {v.doc.path for v in loaded}
    assert len(loaded) == len(later) - 1 - sum(d.kind == "alliance_body" for d in later)


def test_another_version_of_the_code_reads_nothing(content: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _fresh_process_docs(content, tmp_path)
    save_validated(tmp_path / "validated.marshal",
                   [v for v in (validate_doc(d, Report()) for d in docs) if storable(v)])
    from site_builder.core import cachefile

    monkeypatch.setattr(cachefile, "code_stamp", lambda: "an edited schema.py")
    assert load_validated(tmp_path / "validated.marshal", docs) == ([], set())


def test_an_edit_saves_only_its_shard(content: Path, tmp_path: Path) -> None:
    docs = _fresh_process_docs(content, tmp_path)
    kept = [v for v in (validate_doc(d, Report()) for d in docs) if storable(v)]
    save_validated(tmp_path / "validated.marshal", kept)
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("validated-*.marshal")}
    assert len(stamps) == validmemo.SHARDS
    rel = kept[0].doc.path
    save_validated(tmp_path / "validated.marshal", kept, {rel})
    rewritten = {p.name for p in tmp_path.glob("validated-*.marshal")
                 if p.stat().st_mtime_ns != stamps[p.name]}
    assert rewritten == {f"validated-{shard_of(rel):02}.marshal"}


@pytest.mark.parametrize(("edit", "same"), [
    (lambda t: t + "\n\n正文末尾加一句。\n", True),  # the body only
    (lambda t: t, True),  # saved again unchanged (its memo row was read into the build)
    (lambda t: t.replace("title:", "title: 改", 1), False),
    (lambda t: t.replace("summary: ", "summary: 改", 1), False),
])
def test_same_data_tells_a_body_edit_from_a_data_edit(edit, same: bool, content: Path,
                                                      tmp_path: Path) -> None:
    docs = _fresh_process_docs(content, tmp_path)
    save_validated(tmp_path / "validated.marshal",
                   [v for v in (validate_doc(d, Report()) for d in docs) if storable(v)])
    story = sorted((content / "stories").glob("*.md"))[0]
    story.write_text(edit(story.read_text("utf-8")), "utf-8")
    later = _fresh_process_docs(content, tmp_path)
    rows: dict = {}
    load_validated(tmp_path / "validated.marshal", later, rows)
    rel = f"stories/{story.name}"
    again = [validate_doc(d, Report()) for d in later if d.path == rel]
    assert validmemo.same_data(again, rows) is same
    # A file the memo has no row for (new, or with problems last time) is never "same".
    assert validmemo.same_data(again, {}) is False
