"""Property tests: for any input, loaders give a value or a located diagnostic, never raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.core.dates import PartialDate, parse_date
from site_builder.core.diagnostics import Report
from site_builder.load.files import read_record, split_front_matter
from site_builder.load.sourcedoc import SourceDoc
from site_builder.load.yamlpos import parse_yaml
from site_builder.validate.schema import validate_doc

FAST = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text that looks like YAML: keys, colons, quotes, brackets, indentation, CJK, controls.
yamlish = st.text(alphabet=st.sampled_from(list(
    "abc: -[]{},'\"#&*!|>%@`\n\t 0123456789.年月日张家港链主\r\x00\x1b\ufeff\u2028")),
    max_size=200)


@FAST
@given(yamlish)
def test_front_matter_split_never_raises(text: str) -> None:
    report = Report()
    result = split_front_matter(text, "stories/x.md", report)
    if result is None:
        assert all(d.line is not None for d in report.items)
    else:
        _yaml_text, _offset, body, body_line = result
        assert text.split("\n")[body_line - 1:] == body.split("\n")


@FAST
@given(yamlish)
def test_yaml_gives_data_or_a_located_diagnostic(text: str) -> None:
    report = Report()
    result = parse_yaml(text, "enterprises/x.yaml", report)
    if result is None:
        assert report.items and all(d.line is not None for d in report.items), report.format()


@FAST
@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(), st.booleans(),
                 st.dates(), st.none()))
def test_dates_parse_or_refuse(value: object) -> None:
    parsed = parse_date(value)
    assert parsed is None or isinstance(parsed, PartialDate)


@FAST
@given(yamlish, st.text(max_size=70),
       st.sampled_from(["alliance", "enterprise", "story", "station", "listing", "page"]))
def test_validation_of_any_parsed_file_never_raises(text: str, slug: str, kind: str) -> None:
    report = Report()
    parsed = parse_yaml(text, f"{kind}/x.yaml", report)
    if parsed is None:
        return
    data, positions = parsed
    validate_doc(SourceDoc(kind, slug, f"{kind}/x.yaml", data, positions), report)


@FAST
@given(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True))
def test_any_coordinates_are_accepted_or_reported(lat: float, lon: float) -> None:
    report = Report()
    text = f"name: S\naddress: A\ntype: 其他\nlocation: {{lat: {lat!r}, lon: {lon!r}}}\n"
    parsed = parse_yaml(text.replace("nan", ".nan").replace("inf", ".inf"), "s.yaml", report)
    if parsed is None:
        return
    rec = validate_doc(SourceDoc("station", "s", "s.yaml", *parsed), report)
    if rec.ok:
        assert -90 <= rec.data["location"]["lat"] <= 90
        assert -180 <= rec.data["location"]["lon"] <= 180


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_in_a_file_are_read_or_reported(tmp_path_factory, data: bytes) -> None:
    path: Path = tmp_path_factory.mktemp("fuzz") / "x.md"
    path.write_bytes(data)
    report = Report()
    doc = read_record(path, "stories/x.md", "story", "x", report)
    assert doc.ok or report.items


# ---- the slips of issue #21: what WeChat, Word and Notepad put into the demo's files ----

_REPO = Path(__file__).resolve().parents[2]
_DEMO_FILES = sorted(p for p in (_REPO / "content").rglob("*")
                     if p.suffix in (".yaml", ".md") and p.name != "index.md")
# Zero-width, non-breaking and full-width spaces, Word's quotes, a tab, a stray BOM, and the
# line and paragraph separators Word and web pages paste (YAML counts them as line breaks).
_PASTED = "\u200b\u00a0\u3000“”‘’\t\ufeff\u2028\u2029\u0085"


def _load(text: str, rel: str) -> tuple[Report, list[str]]:
    """Read `text` as the loader reads a content file: its problems and every text in it."""
    report = Report()
    body, yaml_text, offset = "", text, 0
    if rel.endswith(".md"):
        split = split_front_matter(text, rel, report)
        if split is None:
            return report, []
        yaml_text, offset, body, _ = split
    parsed = parse_yaml(yaml_text, rel, report, offset)
    texts = [body]

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                texts.append(str(k))
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None:
            texts.append(str(value))

    if parsed is not None:
        walk(parsed[0])
    return report, texts


def _han(texts: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for c in text:
            if "\u4e00" <= c <= "\u9fff":
                counts[c] = counts.get(c, 0) + 1
    return counts


@FAST
@given(st.sampled_from(_DEMO_FILES),
       st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(_PASTED)),
                min_size=1, max_size=4))
def test_pasted_characters_in_a_demo_file_are_reported_or_published(
        path: Path, inserts: list[tuple[float, str]]) -> None:
    """Insert what a paste brings at random places of a demo file: the load never raises,
    and either names a problem at a line or loses no character the editor typed."""
    rel = path.relative_to(_REPO / "content").as_posix()
    text = path.read_text(encoding="utf-8")
    _, before = _load(text, rel)
    for where, char in inserts:
        at = int(where * (len(text) + 1))
        text = text[:at] + char + text[at:]
    report, after = _load(text, rel)
    assert all(d.line is not None for d in report.items), report.format()
    if report.items:
        return
    # Nothing reported: every Chinese character of the file is still there, and so is
    # every quote mark pasted in (they are text, never taken for YAML's own quotes).
    have = _han(after)
    assert all(have.get(c, 0) >= n for c, n in _han(before).items()), text
    published = "".join(after)
    # What the editor typed outside comments (a whole line from "#", or from " #").
    typed = "".join(line[:0] if line.lstrip().startswith("#") else line.split(" #")[0]
                    for line in text.split("\n"))
    for char in {c for _, c in inserts if c in "“”‘’"}:
        assert published.count(char) >= typed.count(char), text
