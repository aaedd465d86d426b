"""Map scale benchmark: a site with 5,000 stations; time and bytes of the /map/ page.

    python benchmarks/bench_map.py [--stations 5000] [--work DIR]

Prints the build time of the whole site and of the map page alone (folium + the compact
station rows), the map page's size raw and gzipped, and the bytes per station.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_site import generate

from site_builder.build import run
from site_builder.core.config import BuildOptions
from site_builder.render.maps import provider_for
from site_builder.render.pages import RenderJob, SiteRenderer
from site_builder.render.tasks import PageTask
from site_builder.render.theme import find_theme


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stations", type=int, default=5000)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="sb-map-"))
    counts = generate(work, 5, seed=1, stations=args.stations)
    print(f"site: {counts['stations']} stations, {counts['enterprises']} members, "
          f"in {work}")

    start = time.perf_counter()
    result = run(BuildOptions(site_dir=work, output_dir=work / "output", jobs=1), write=True)
    total = time.perf_counter() - start
    assert result.ok, result.report.format()
    page = (work / "output/map/index.html").read_bytes()
    print(f"whole site: {result.pages} pages in {total:.2f} s "
          f"(render {result.timings['render']:.2f} s)")

    # The map page alone, rendered again (best of 3) with the model already linked.
    assert result.model is not None
    model = result.model
    from site_builder.core.diagnostics import Report

    report = Report()
    renderer = SiteRenderer(RenderJob(model, find_theme(work), report,
                                      provider_for(model.config.map, report)), {})
    task = next(t for t in renderer.tasks() if t.path == "map/")
    assert isinstance(task, PageTask)
    best = min(_timed(lambda: renderer.render(task)) for _ in range(3))
    zipped = len(gzip.compress(page, 9))
    print(f"/map/ page: render {best * 1000:.0f} ms, {len(page) / 1024:.0f} KiB "
          f"({zipped / 1024:.0f} KiB gzipped), {len(page) / counts['stations']:.0f} bytes "
          "per station")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
