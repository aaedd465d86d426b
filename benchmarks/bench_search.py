"""Search benchmark: index time, index size and the bytes of a first query, demo and large.

    python benchmarks/bench_search.py                   # the demo and N = 170 (≈ 10,000 pages)
    python benchmarks/bench_search.py --alliances 30    # another generated size
    python benchmarks/bench_search.py --plain           # also plain Pagefind, for comparison
    python benchmarks/bench_search.py --no-browser      # sizes and times only

For each site: build it in memory (not timed here; see bench_build.py), index it with
site_builder.search.search_outputs() twice (the two bundles must be byte-identical), and
report the time, the bundle's size (engine: pagefind.js, worker and wasm; index: meta, word
index chunks, filters and fragments) and, in headless Chromium with every request off
localhost blocked, the bytes a first query transfers: the engine, the index chunks it
needs and the first 20 results' fragments, exactly what assets/search.js loads (a small
harness page imports its query functions). The search page itself (HTML, CSS, search.js)
adds about 35 KB; tests/browser/test_search.py measures the whole page on the demo.

`--plain` also indexes the pages as plain Pagefind would (no character splitting, no name
tokens) to show what the two changes cost in size.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generate_site import ensure_site

from site_builder import search
from site_builder.build import run
from site_builder.config import BuildOptions
from site_builder.render import Output
from site_builder.writer import write_outputs

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUERIES = ("张家港", "芯", "党建", "供需对接", "新能源汽车", "产业链党建联盟")
ENGINE = ("pagefind.js", "pagefind-worker.js", ".pagefind")

# The harness: what search.js does for a first query (names, full text, 20 fragments).
HARNESS = """<!doctype html><html lang="zh-CN"><body><script type="module">
import { nameQuery, normalize, textQuery } from "./assets/search.js";
const pf = await import("./pagefind/pagefind.js");
await pf.options({ baseUrl: "/" });
const q = new URLSearchParams(location.search).get("q");
const words = q.split(/\\s+/).filter((w) => normalize(w));
async function every(queries, options) {
  const found = await Promise.all(queries.map((x) => pf.search(x, options)));
  const [first, ...rest] = found.map((f) => f.results);
  const sets = rest.map((r) => new Set(r.map((x) => x.id)));
  return first.filter((r) => sets.every((s) => s.has(r.id)));
}
const [names, text] = await Promise.all([
  every(words.map(nameQuery), { sort: { name: "asc" } }), every(words.map(textQuery), {})]);
const hits = new Map();
for (const r of [...names, ...text]) if (!hits.has(r.id)) hits.set(r.id, r);
await Promise.all([...hits.values()].slice(0, 20).map((r) => r.data()));
window.done = { names: names.length, results: hits.size };
</script></body></html>"""


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def measure_bundle(outputs: Sequence[Output]) -> dict[str, Any]:
    files = [o for o in outputs if o.path.startswith("pagefind/")]
    engine = sum(len(o.data) for o in files if o.path.endswith(ENGINE))
    fragments = [len(o.data) for o in files if "/fragment/" in o.path]
    return {
        "files": len(files),
        "bundle": sum(len(o.data) for o in files),
        "engine": engine,
        "index": sum(len(o.data) for o in files) - engine,
        "word index": sum(len(o.data) for o in files if "/index/" in o.path),
        "fragments": sum(fragments),
        "fragment avg": sum(fragments) / max(1, len(fragments)),
        "meta": sum(len(o.data) for o in files if o.path.endswith(".pf_meta")),
    }


@contextmanager
def serve(folder: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    sent: list[tuple[str, int]] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def copyfile(self, source: Any, outputfile: Any) -> None:
            data = source.read()
            sent.append((self.path, len(data)))
            outputfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", sent
    finally:
        server.shutdown()


def first_queries(folder: Path, queries: Sequence[str]) -> list[dict[str, Any]]:
    """Bytes of response bodies for each query in a fresh browser context (empty cache)."""
    from playwright.sync_api import sync_playwright

    (folder / "search-bench.html").write_text(HARNESS, encoding="utf-8")
    rows = []
    with serve(folder) as (url, sent), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for query in queries:
            context = browser.new_context()
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url)
                       else r.abort())
            sent.clear()
            start = time.perf_counter()
            page.goto(f"{url}search-bench.html?q={query}")
            page.wait_for_function("window.done", timeout=120_000)
            seconds = time.perf_counter() - start
            done = page.evaluate("window.done")
            context.close()
            body = {path: n for path, n in sent}
            rows.append({"query": query, **done, "seconds": seconds,
                         "bytes": sum(body.values()),
                         "index": sum(n for path, n in body.items() if "/index/" in path),
                         "fragments": sum(n for path, n in body.items()
                                          if "/fragment/" in path)})
        browser.close()
    return rows


def bench(name: str, site: Path, work: Path, browser: bool, plain: bool) -> None:
    print(f"\n## {name}: {site}")
    start = time.perf_counter()
    result = run(BuildOptions(site_dir=site, output_dir=work / "unused",
                              jobs=os.cpu_count() or 1), write=False)
    assert result.ok and result.model is not None, result.report.format()
    print(f"built {result.pages} pages in {time.perf_counter() - start:.1f} s (not search)")
    outputs = list(result.outputs)
    pages = search.search_pages(outputs, result.model)

    times, bundles = [], []
    for _ in range(2):
        start = time.perf_counter()
        bundles.append(search.search_outputs(outputs, result.model))
        times.append(time.perf_counter() - start)
    same = bundles[0] == bundles[1]
    figures = measure_bundle(bundles[0])
    print(f"indexed {len(pages)} pages in {min(times):.2f} s "
          f"({1000 * min(times) / max(1, len(pages)):.1f} ms/page); two runs identical: {same}")
    print(f"bundle {kb(figures['bundle'])} in {figures['files']} files: engine "
          f"{kb(figures['engine'])}, index {kb(figures['index'])} (word index "
          f"{kb(figures['word index'])}, fragments {kb(figures['fragments'])}, avg "
          f"{figures['fragment avg']:.0f} B, meta {kb(figures['meta'])})")
    if plain:
        split, tokens = search.split_han, search.name_tokens
        search.split_han, search.name_tokens = (lambda html: html), (lambda names: "")
        try:
            start = time.perf_counter()
            plain_figures = measure_bundle(search.search_outputs(outputs, result.model))
            seconds = time.perf_counter() - start
        finally:
            search.split_han, search.name_tokens = split, tokens
        print(f"plain Pagefind: {seconds:.2f} s, index {kb(plain_figures['index'])} (word "
              f"index {kb(plain_figures['word index'])}, fragments "
              f"{kb(plain_figures['fragments'])})")
    if not same:
        print("NOT DETERMINISTIC: the two bundles differ")
    if browser:
        folder = work / f"site-{name}"
        shutil.rmtree(folder, ignore_errors=True)
        write_outputs(outputs + bundles[0], folder)
        print(f"{'query':<14} {'results':>7} {'names':>5} {'total':>9} {'index':>9} "
              f"{'20 frags':>9} {'time':>6}")
        for row in first_queries(folder, QUERIES):
            print(f"{row['query']:<14} {row['results']:>7} {row['names']:>5} "
                  f"{kb(row['bytes']):>9} {kb(row['index']):>9} {kb(row['fragments']):>9} "
                  f"{row['seconds']:>5.1f}s")
        shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alliances", type=int, default=170,
                        help="generated site size (170 ≈ 10,000 pages); 0: the demo only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "site-builder-bench")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    parser.add_argument("--plain", action="store_true", help="also index as plain Pagefind")
    args = parser.parse_args(argv)
    browser = not args.no_browser and Path(CHROMIUM).exists()
    if not args.no_browser and not browser:
        print(f"{CHROMIUM} not found: sizes and times only")
    args.work.mkdir(parents=True, exist_ok=True)
    bench("demo", REPO, args.work, browser, args.plain)
    if args.alliances:
        site = args.work / f"site-n{args.alliances}-s{args.seed}"
        ensure_site(site, args.alliances, args.seed, log=print)
        bench(f"n{args.alliances}", site, args.work, browser, args.plain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
