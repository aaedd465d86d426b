"""Build benchmark: clean and one-edit rebuilds of generated sites of growing size.

    python benchmarks/bench_build.py                  # N = 30, 100, 300 alliances
    python benchmarks/bench_build.py --sizes 30,100   # chosen sizes
    python benchmarks/bench_build.py --large          # adds N = 1000

For each size N the site is generated once (benchmarks/generate_site.py, reused while its
arguments are unchanged), then built three times, each in a fresh Python process:

1. clean: into a new output folder (cold output, warm file cache);
2. incremental: one story gets one more sentence, rebuilt into the same output folder;
3. reference: the edited content built clean into another folder; the incremental output
   must equal it byte for byte.

The edited story is restored afterwards. Outputs are deleted when every size is done, not
between builds, and a run that starts soon after a deletion waits first (settle.py: deleted
trees slow the creation of files here for minutes). See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from settle import remove_trees, settle

STAGES = ("load", "validate", "link", "render", "search", "write")
EDIT = "\n联盟近日又召开了一次供需对接会，现场促成合作意向12项。\n"
FLAT = 0.25  # time per page counts as flat within ±25 %


# ---- the child: one build in its own process ------------------------------------------------

def child(site: str, out: str, jobs: int, search: bool) -> int:
    """Run one build and print its figures as JSON on the last line of stdout."""
    import resource

    from site_builder.build import run
    from site_builder.core.config import BuildOptions

    gc.disable()  # as the command does: no cycle collection before the process ends
    start = time.perf_counter()
    result = run(BuildOptions(site_dir=Path(site), output_dir=Path(out), jobs=jobs,
                              search=search), write=True)
    seconds = time.perf_counter() - start
    self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # The children are the render workers (forked: what they share with this process is
    # counted in both) and the small copier that prefills the stage.
    kids_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    written = result.written
    print(json.dumps({
        "ok": result.ok,
        "problems": [d.format("en") for d in list(result.report.items)[:10]],
        "pages": result.pages,
        "outputs": len(result.outputs),
        "seconds": seconds,
        "timings": result.timings,
        "rss_kb": max(self_kb, kids_kb),  # the larger of this process and a worker
        "children_kb": kids_kb,
        "written": written.written if written else None,
        "unchanged": written.unchanged if written else None,
        "bytes": written.bytes if written else None,
    }))
    return 0 if result.ok else 1


def build(site: Path, out: Path, jobs: int, env: dict[str, str], search: bool = True
          ) -> dict[str, Any]:
    """Build `site` into `out` in a fresh interpreter; figures plus the process wall time."""
    cmd = [sys.executable, __file__, "--child", str(site), str(out), str(jobs),
           "search" if search else "no-search"]
    os.sync()  # the previous build's writes are not this one's to flush
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    wall = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines()
    try:
        figures = json.loads(lines[-1])
    except (IndexError, ValueError):
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"build of {site} failed (exit {proc.returncode})") from None
    if not figures["ok"]:
        sys.stderr.write("\n".join(figures["problems"]) + "\n" + proc.stderr[-3000:])
        raise SystemExit(f"build of {site} reported content errors")
    figures["wall"] = wall
    return figures


# ---- comparing outputs ----------------------------------------------------------------------

def tree_files(root: Path) -> dict[str, Path]:
    """Every file under `root` by its relative POSIX path."""
    out: dict[str, Path] = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder) / name
            out[path.relative_to(root).as_posix()] = path
    return out


def compare_trees(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on one side or other bytes)."""
    fa, fb = tree_files(a), tree_files(b)
    diffs = sorted(set(fa) ^ set(fb))
    for rel in sorted(set(fa) & set(fb)):
        pa, pb = fa[rel], fb[rel]
        sa, sb = pa.stat(), pb.stat()
        if (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino):
            continue
        if sa.st_size != sb.st_size or pa.read_bytes() != pb.read_bytes():
            diffs.append(rel)
    return diffs


# ---- one size -------------------------------------------------------------------------------

def story_to_edit(site: Path) -> Path:
    """A fixed story of the site: the middle one in name order."""
    stories = sorted((site / "content" / "stories").glob("*.md"))
    return stories[len(stories) // 2]


def bench_size(n: int, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    """Generate (or reuse) the N-alliance site and run the three builds."""
    # Here, not at the top: the build's own process (--child) must not pay for importing
    # the generator (and pypinyin with it), which the command line never imports.
    from generate_site import DIRTY, ensure_site

    work: Path = args.work
    site = work / f"site-n{n}-s{args.seed}"
    start = time.perf_counter()
    counts = ensure_site(site, n, args.seed, log=lambda m: print(m, flush=True))
    generated = time.perf_counter() - start
    # New folders, deleted only when every size is done (main): a deletion would slow the
    # creation of files in the builds that follow it for minutes (settle.py).
    out = args.outputs / f"out-n{n}"
    ref = args.outputs / f"out-n{n}-reference"
    settle(work, args.settle)  # after regenerating a site, whose old content/ was deleted

    print(f"N={n}: clean build …", flush=True)
    shutil.rmtree(site / ".cache", ignore_errors=True)  # cold: no memo of an earlier run
    clean = build(site, out, args.jobs, env, args.search)
    story = story_to_edit(site)
    original = story.read_bytes()
    (site / DIRTY).write_text(str(story), encoding="utf-8")
    try:
        story.write_bytes(original + EDIT.encode("utf-8"))
        print(f"N={n}: rebuild after editing {story.name} …", flush=True)
        incremental = build(site, out, args.jobs, env, args.search)
        print(f"N={n}: clean build of the edited content, to compare …", flush=True)
        shutil.rmtree(site / ".cache", ignore_errors=True)
        reference = build(site, ref, args.jobs, env, args.search)
        diffs = compare_trees(out, ref)
    finally:
        story.write_bytes(original)
        (site / DIRTY).unlink(missing_ok=True)
    print(f"N={n}: {clean['pages']} pages; clean build {clean['seconds']:.1f} s, after one edit "
          f"{incremental['seconds']:.1f} s; same as clean: {'yes' if not diffs else 'NO'}",
          flush=True)
    return {"n": n, "files": counts["files"], "generated": generated, "clean": clean,
            "incremental": incremental, "reference": reference, "diffs": diffs}


# ---- printing -------------------------------------------------------------------------------

def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain text table, right-aligned numbers."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, rule, *body])


def report(results: list[dict[str, Any]], jobs: int, search: bool = True) -> None:
    """Print the summary table, the per-stage tables and the flatness verdict."""
    rows = []
    for r in results:
        c, i = r["clean"], r["incremental"]
        rows.append([
            str(r["n"]), str(r["files"]), str(c["pages"]), str(c["outputs"]),
            f"{c['wall']:.2f}", f"{c['seconds']:.2f}", f"{c['pages'] / c['seconds']:.0f}",
            f"{1000 * c['seconds'] / c['pages']:.2f}", f"{c['rss_kb'] / 1024:.0f}",
            f"{max(c['children_kb'], i['children_kb']) / 1024:.0f}",
            f"{i['wall']:.2f}", f"{i['seconds']:.2f}", f"{i['written']}/{i['outputs']}",
            "yes" if not r["diffs"] else f"NO ({len(r['diffs'])})",
        ])
    print(f"\nsite_builder build benchmark (jobs={jobs}, search index: "
          f"{'yes' if search else 'no'}, Python {sys.version.split()[0]})\n")
    print(table(["N", "files", "pages", "outputs", "clean s", "build s", "pages/s", "ms/page",
                 "peak MB", "worker MB", "edit s", "edit build s", "rewritten",
                 "edit == clean"], rows))
    for label, key in (("clean build", "clean"), ("rebuild after one edit", "incremental")):
        print(f"\nstages, {label} (seconds; % of build)\n")
        stage_rows = []
        for r in results:
            t = r[key]["timings"]
            total = sum(t.values()) or 1.0
            stage_rows.append([str(r["n"])] + [
                f"{t.get(s, 0.0):.2f} {100 * t.get(s, 0.0) / total:3.0f}%" for s in STAGES])
        print(table(["N", *STAGES], stage_rows))
    for r in results:
        if r["diffs"]:
            shown = ", ".join(r["diffs"][:5])
            print(f"\nN={r['n']}: incremental output differs from a clean build in "
                  f"{len(r['diffs'])} files: {shown}")
    if len(results) >= 2:
        small, large = results[0], results[-1]
        per = [1000 * r["clean"]["seconds"] / r["clean"]["pages"] for r in (small, large)]
        ratio = per[1] / per[0]
        verdict = "flat" if abs(ratio - 1) <= FLAT else "NOT flat"
        print(f"\ntime per page: {per[0]:.2f} ms at N={small['n']} → {per[1]:.2f} ms at "
              f"N={large['n']} (×{ratio:.2f}): {verdict} (±{FLAT:.0%})")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        # Ended as the site-builder command ends (cli.console): without the interpreter's
        # teardown, which would free the whole model object by object first.
        code = child(argv[1], argv[2], int(argv[3]), argv[4] == "search")
        sys.stdout.flush()
        os._exit(code)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="30,100,300",
                        help="comma-separated numbers of alliances (default 30,100,300)")
    parser.add_argument("--large", action="store_true", help="add N=1000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="render processes, as build --jobs (default: every core)")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "site-builder-bench",
                        help="where generated sites and outputs go (reused between runs)")
    parser.add_argument("--keep", action="store_true", help="keep the built outputs")
    parser.add_argument("--no-settle", dest="settle", action="store_false",
                        help="do not wait after a recent deletion of a build output "
                             "(see benchmarks/settle.py)")
    parser.add_argument("--no-fsync", action="store_true",
                        help="set SITE_BUILDER_NO_FSYNC=1 (skip the writer's sync)")
    parser.add_argument("--json", type=Path, help="also write all figures to this file")
    parser.add_argument("--no-search", dest="search", action="store_false",
                        help="build with --no-search: pages only, as Hugo builds them")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.large and 1000 not in sizes:
        sizes.append(1000)
    sizes.sort()
    args.work.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ)
    # One build date for every build of this run, so outputs compare equal across midnight.
    today = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.UTC)
    env.setdefault("SOURCE_DATE_EPOCH", str(int(today.timestamp())))
    if args.no_fsync:
        env["SITE_BUILDER_NO_FSYNC"] = "1"

    remove_trees(args.work, sorted(args.work.glob("out-n*")) + sorted(args.work.glob("run-*")))
    settle(args.work, args.settle)
    args.outputs = args.work / f"run-{os.getpid()}"
    try:
        results = [bench_size(n, args, env) for n in sizes]
    finally:
        if not args.keep:
            remove_trees(args.work, [args.outputs])
    report(results, args.jobs, args.search)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0 if all(not r["diffs"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
