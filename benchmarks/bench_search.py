"""Search benchmark: index time, update time, index size and the bytes of a first query.

    python benchmarks/bench_search.py                   # the demo and N = 170 (≈ 10,000 pages)
    python benchmarks/bench_search.py --alliances 30    # another generated size
    python benchmarks/bench_search.py --no-browser      # sizes and times only

For each site: build it in memory (not timed here; see bench_build.py), index it with
site_builder.search.search_outputs() twice (the two indexes must be byte-identical), write
it, then time the update after one story's text changed (SearchMemo: only the files that
change are made) and check it against indexing from scratch. Then report the index's size
(meta, term shards, records) and, in headless Chromium with every request off localhost
blocked, what the real search page transfers for a first query: the page and its assets,
the shards of the query's terms, and the records of the first 20 results.
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

from site_builder.build import run
from site_builder.core.config import BuildOptions
from site_builder.core.outputs import Output
from site_builder.search import index as search
from site_builder.write.writer import write_outputs

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
QUERIES = ("张家港", "芯", "党建", "供需对接", "新能源汽车", "产业链党建联盟")


def kb(n: float) -> str:
    return f"{n / 1024:,.0f} KB"


def measure_index(outputs: Sequence[Output]) -> dict[str, Any]:
    files = [o for o in outputs if o.path.startswith(search.INDEX_DIR)]
    records = [len(o.data) for o in files if "/r/" in o.path]
    return {
        "files": len(files),
        "index": sum(len(o.data) for o in files),
        "shards": sum(len(o.data) for o in files if "/t/" in o.path),
        "shard count": sum("/t/" in o.path for o in files),
        "records": sum(records),
        "record avg": sum(records) / max(1, len(records)),
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
            page.goto(f"{url}search/?q={query}")
            page.wait_for_function("document.getElementById('search-status').textContent"
                                   ".match(/\\d|没有/)", timeout=120_000)
            page.wait_for_load_state("networkidle")
            seconds = time.perf_counter() - start
            status = page.locator("#search-status").inner_text()
            context.close()
            body = {path.split("?")[0]: n for path, n in sent}
            rows.append({"query": query, "status": status, "seconds": seconds,
                         "bytes": sum(body.values()),
                         "shards": sum(n for path, n in body.items() if "/t/" in path),
                         "records": sum(n for path, n in body.items() if "/r/" in path)})
        browser.close()
    return rows


def edited(outputs: Sequence[Output], pages: Sequence[search.SearchPage]) -> list[Output]:
    """The outputs after one story's text changed (a sentence added to its <main>)."""
    story = next(p for p in pages if p.kind == "story")
    html = story.output.data.replace(b"</main>", "<p>链上企业新增三项攻关成果。</p></main>"
                                     .encode(), 1)
    return [Output(o.path, html) if o is story.output else o for o in outputs]


def bench(name: str, site: Path, work: Path, browser: bool) -> None:
    print(f"\n## {name}: {site}")
    start = time.perf_counter()
    result = run(BuildOptions(site_dir=site, output_dir=work / "unused",
                              jobs=os.cpu_count() or 1), write=False)
    assert result.ok and result.model is not None, result.report.format()
    print(f"built {result.pages} pages in {time.perf_counter() - start:.1f} s (not search)")
    outputs = list(result.outputs)
    pages = search.search_pages(outputs, result.model)

    times, indexes = [], []
    for _ in range(2):
        start = time.perf_counter()
        indexes.append(search.search_outputs(outputs, result.model))
        times.append(time.perf_counter() - start)
    same = indexes[0] == indexes[1]
    figures = measure_index(indexes[0])
    print(f"indexed {len(pages)} pages in {min(times):.2f} s "
          f"({1000 * min(times) / max(1, len(pages)):.2f} ms/page); two runs identical: {same}")
    print(f"index {kb(figures['index'])} in {figures['files']} files: "
          f"{figures['shard count']} shards {kb(figures['shards'])}, records "
          f"{kb(figures['records'])} (avg {figures['record avg']:.0f} B)")
    folder = work / f"site-{name}"
    shutil.rmtree(folder, ignore_errors=True)
    write_outputs(outputs + indexes[0], folder)
    memo = search.SearchMemo(work / f"search-{name}.marshal", folder.absolute())
    kept = [Output(o.path, None, origin=str(folder / o.path)) for o in outputs]
    search.search_outputs(kept, result.model, memo)
    memo.commit(indexes[0])
    kept = [Output(o.path, None, origin=o.origin) for o in kept]  # as a new build has them
    changed = edited(kept, search.search_pages(kept, result.model))
    memo = search.SearchMemo(memo.file, folder.absolute())
    start = time.perf_counter()
    updated = search.search_outputs(changed, result.model, memo)
    seconds = time.perf_counter() - start
    made = [o.path for o in updated if o.origin is None]
    exact = updated == search.search_outputs(changed, result.model)
    print(f"update after one story's text changed: {seconds:.3f} s, {len(made)} files made "
          f"anew; identical to indexing from scratch: {exact}")
    if not (same and exact):
        print("NOT DETERMINISTIC: the indexes differ")
    if browser:
        print(f"{'query':<14} {'total':>9} {'shards':>9} {'records':>9} {'time':>6}  status")
        for row in first_queries(folder, QUERIES):
            print(f"{row['query']:<14} {kb(row['bytes']):>9} {kb(row['shards']):>9} "
                  f"{kb(row['records']):>9} {row['seconds']:>5.1f}s  {row['status']}")
    shutil.rmtree(folder, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alliances", type=int, default=170,
                        help="generated site size (170 ≈ 10,000 pages); 0: the demo only")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "site-builder-bench")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium figures")
    args = parser.parse_args(argv)
    browser = not args.no_browser and Path(CHROMIUM).exists()
    if not args.no_browser and not browser:
        print(f"{CHROMIUM} not found: sizes and times only")
    args.work.mkdir(parents=True, exist_ok=True)
    bench("demo", REPO, args.work, browser)
    if args.alliances:
        site = args.work / f"site-n{args.alliances}-s{args.seed}"
        ensure_site(site, args.alliances, args.seed, log=print)
        bench(f"n{args.alliances}", site, args.work, browser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
