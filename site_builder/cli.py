"""Command line: build, check, new, init, serve, audit, verify, import, export.

Exit 0 ok, 1 content errors (or findings), 2 wrong usage."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from site_builder import __version__
from site_builder.build import BuildResult, run
from site_builder.core.config import BuildOptions
from site_builder.scaffold import KINDS, ScaffoldError, init_site, new_file
from site_builder.write.manifest import manifest_path
from site_builder.write.writer import OutputError, check_output_dir

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="site-builder",
        description="产业链党建联盟展示网站生成器 / static-site generator for industrial-chain "
                    "Party-building alliance sites",
    )
    parser.add_argument("--version", action="version", version=f"site-builder {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", help="生成网站到 output/（build the site）")
    build.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR",
                       help="网站文件夹，内含 content/（默认当前文件夹）")
    build.add_argument("--output", metavar="DIR", help="输出文件夹（默认 SITE_DIR/output）")
    build.add_argument("--strict", action="store_true", help="警告也视为错误")
    build.add_argument("--drafts", action="store_true", help="包含草稿（draft: true）")
    build.add_argument("--future", action="store_true", help="包含日期在未来的案例")
    build.add_argument("--base-url", metavar="URL", help="覆盖 site.yaml 的 base_url（预览用）")
    build.add_argument("--no-search", dest="search", action="store_false",
                       help="不生成站内搜索索引（更快；搜索页显示“搜索暂时不可用”）")
    build.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1, metavar="N",
                       help="并行进程数（默认为 CPU 核数）")

    check = sub.add_parser("check", help="只检查内容，不写文件（validate only）")
    check.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    check.add_argument("--strict", action="store_true", help="警告也视为错误")
    check.add_argument("--drafts", action="store_true", help="同时检查草稿能否发布")
    check.add_argument("--future", action="store_true", help="同时检查未来日期的案例")

    new = sub.add_parser("new", help="新建一个带注释的内容文件（scaffold a file）")
    new.add_argument("kind", choices=KINDS, metavar="KIND", help=" | ".join(KINDS))
    new.add_argument("slug", metavar="SLUG", help="文件名，如 zhangjiagang-shagang")
    new.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")

    init = sub.add_parser("init", help="新建一个网站文件夹，含可运行的示例（new site）")
    init.add_argument("directory", metavar="DIR")

    serve = sub.add_parser("serve", help="本地预览：保存即自动刷新（live preview）")
    serve.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机可见）")
    serve.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    serve.add_argument("--open", action="store_true", help="启动后在浏览器中打开")
    serve.add_argument("--edit-token", default=None, metavar="口令",
                       help="--host 不是本机地址时，凭这个口令才能在编辑工作台里修改内容"
                            "（写 auto 则随机生成一个并显示）")
    serve.add_argument("--allow-host", action="append", default=[], type=_host_name,
                       metavar="NAME", help="另外允许用这个名字（或 名字:端口）打开预览，"
                       "如反向代理或别名；可重复。默认只回答本机地址")

    audit = sub.add_parser("audit", help="按政府网站检查的要求自查（self-inspection）")
    audit.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    audit.add_argument("--html", metavar="FILE", help="另存一份 HTML 自查报告（存档用）")

    verify = sub.add_parser("verify", help="核对已发布的网站与生成时的清单（tamper check）")
    verify.add_argument("target", metavar="OUTPUT_DIR|URL",
                        help="已发布网站的文件夹，或网站首页的网址")
    verify.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    verify.add_argument("--manifest", metavar="FILE",
                        help="清单文件（默认 SITE_DIR/output.sha256）")
    _sheet_commands(sub)
    return parser


def _sheet_commands(sub: argparse._SubParsersAction) -> None:
    kinds = "enterprises | stations | listings"
    imp = sub.add_parser("import",
                         help="从 .xlsx/.csv 表格导入成员单位、阵地或清单（import a sheet）")
    imp.add_argument("kind", metavar="KIND", help=kinds)
    imp.add_argument("file", metavar="FILE", help="表格文件 .xlsx / .xls / .csv")
    imp.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    imp.add_argument("--yes", action="store_true", help="不询问，直接写入（没有错误时）")
    imp.add_argument("--geocode", action="store_true",
                     help="有地址没坐标的行，用天地图地理编码补上坐标")
    exp = sub.add_parser("export", help="导出为 .xlsx 表格（导入用的格式，带下拉选项）")
    exp.add_argument("kind", metavar="KIND", help=kinds)
    exp.add_argument("site_dir", nargs="?", default=".", metavar="SITE_DIR")
    exp.add_argument("--output", required=True, metavar="FILE.xlsx", help="写到这个文件")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("需要正整数 / a positive integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError("需要正整数 / a positive integer")
    return value


def _host_name(text: str) -> str:
    from site_builder.preview.hosts import parse_allowed

    try:
        parse_allowed(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            "需要主机名或 IP 地址，可带端口，如 preview.example.org 或 preview.lan:8000 / "
            "a host name or IP address, optionally with :PORT") from None
    return text


# What a build made, kept until the process ends when `console` runs it: freeing the model
# object by object takes 0.2 s of a one-edit rebuild at 18,000 pages, and the process is
# about to end anyway.
_KEEP: list[object] = []


def console() -> None:
    """The `site-builder` command: main(), then an exit without the interpreter's teardown.

    Every file is written and closed (and synced) before main() returns; only the
    freeing of memory that the operating system reclaims anyway is skipped, and so is
    the cycle collection that run() would enable again on its way out (90 ms at N=300,
    a walk over the whole model just before the process ends)."""
    gc.disable()
    code = main(keep=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None, *, keep: bool = False) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        if args.command in ("build", "check"):
            return _build(args, write=args.command == "build", keep=keep)
        if args.command == "new":
            path = new_file(Path(args.site_dir), args.kind, args.slug)
            print(f"已创建 / created: {path}")
            return EXIT_OK
        if args.command == "serve":
            return _serve(args)
        if args.command == "audit":
            return _audit(args)
        if args.command == "verify":
            return _verify(args)
        if args.command in ("import", "export"):
            from site_builder.sheets import command

            if args.command == "import":
                return command.run_import(args.kind, Path(args.file), Path(args.site_dir),
                                          args.yes, args.geocode)
            return command.run_export(args.kind, Path(args.site_dir), Path(args.output))
        if args.command == "init":
            path = init_site(Path(args.directory))
            print(f"已创建网站 / site created: {path}\n"
                  f"下一步 / next: site-builder build {path}")
            return EXIT_OK
    except ScaffoldError as exc:
        print(f"site-builder: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE  # pragma: no cover - argparse rejects unknown commands


def _build(args: argparse.Namespace, *, write: bool, keep: bool = False) -> int:
    site_dir = Path(args.site_dir)
    if not (site_dir / "content").is_dir():
        print(f"site-builder: {site_dir}/content 不存在：SITE_DIR 应是包含 content/ 的网站文件夹"
              f"（新建网站：site-builder init DIR）\n"
              f"site-builder: {site_dir}/content does not exist", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output) if getattr(args, "output", None) else None
    options = BuildOptions(
        site_dir=site_dir,
        output_dir=output,
        strict=args.strict,
        drafts=getattr(args, "drafts", False),
        future=getattr(args, "future", False),
        base_url=getattr(args, "base_url", None),
        jobs=getattr(args, "jobs", 1),
        search=getattr(args, "search", True),
        progress=sys.stderr.isatty(),
        check=not write,
    )
    if write:
        try:
            check_output_dir(options.out_dir, site_dir)
        except OutputError:
            print(f"site-builder: 输出文件夹 {options.out_dir} 会覆盖网站内容，请换一个 "
                  f"--output\nsite-builder: output {options.out_dir} would overwrite the "
                  "site's content", file=sys.stderr)
            return EXIT_USAGE
    start = time.perf_counter()
    result = run(options, write=write, progress=_progress if options.progress else None)
    elapsed = time.perf_counter() - start
    if options.progress:
        sys.stderr.write("\r\033[K")
    _print_report(result)
    print(_summary(result, elapsed, write), file=sys.stderr if not result.ok else sys.stdout)
    if keep:
        _KEEP.append(result)
    return EXIT_OK if result.ok else EXIT_CONTENT


def _audit(args: argparse.Namespace) -> int:
    from site_builder.audit.inspect import audit_site
    from site_builder.audit.report import format_html, format_text

    site_dir = Path(args.site_dir)
    if not (site_dir / "content").is_dir():
        print(f"site-builder: {site_dir}/content 不存在 / does not exist", file=sys.stderr)
        return EXIT_USAGE
    options = BuildOptions(site_dir=site_dir, jobs=os.cpu_count() or 1)
    result = run(options, write=False)
    if not result.ok or result.model is None:
        _print_report(result)
        print("内容有错误，先按上面的提示改正，再自查。", file=sys.stderr)
        return EXIT_CONTENT
    found = audit_site(result.model, result.outputs, options.content_dir)
    print(format_text(found))
    if args.html:
        Path(args.html).write_text(format_html(found), encoding="utf-8")
        print(f"自查报告已保存：{args.html}")
    return EXIT_CONTENT if found.fails else EXIT_OK


def _verify(args: argparse.Namespace) -> int:
    from site_builder.verify import format_verdict, verify

    manifest = Path(args.manifest) if args.manifest else manifest_path(
        Path(args.site_dir) / "output")
    if not manifest.is_file():
        print(f"site-builder: 找不到清单 {manifest}：先运行 site-builder build，或用 --manifest "
              f"指定\nsite-builder: no manifest at {manifest}", file=sys.stderr)
        return EXIT_USAGE
    if not args.target.startswith(("http://", "https://")) and not Path(args.target).is_dir():
        print(f"site-builder: {args.target} 不是文件夹，也不是 http(s) 网址", file=sys.stderr)
        return EXIT_USAGE
    try:
        verdict = verify(args.target, manifest)
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"site-builder: 清单文件格式不对（{exc}）", file=sys.stderr)
        return EXIT_USAGE
    print(format_verdict(verdict, args.target))
    return EXIT_OK if verdict.ok else EXIT_CONTENT


def _serve(args: argparse.Namespace) -> int:
    from site_builder.preview.server import serve

    site_dir = Path(args.site_dir)
    if not (site_dir / "content").is_dir():
        print(f"site-builder: {site_dir}/content 不存在 / does not exist", file=sys.stderr)
        return EXIT_USAGE
    return serve(site_dir, host=args.host, port=args.port, open_browser=args.open,
                 allow_hosts=args.allow_host, edit_token=args.edit_token)


def _progress(done: int, total: int) -> None:
    if done == total or done % 50 == 0:
        sys.stderr.write(f"\r渲染页面 / rendering {done}/{total}")
        sys.stderr.flush()


def _print_report(result: BuildResult) -> None:
    text = result.report.format(result.language)
    if text:
        print(text + "\n", file=sys.stderr)


def _summary(result: BuildResult, elapsed: float, write: bool) -> str:
    en = result.language == "en"
    errors, warnings = len(result.report.errors), len(result.report.warnings)
    if not result.ok:
        if en:
            return (f"Failed: {errors} error(s), {warnings} warning(s). Nothing was written; "
                    "the previous output is unchanged.")
        return (f"失败：{errors} 个错误，{warnings} 个警告。"
                "没有写入任何文件，原有 output/ 保持不变。")
    m = result.model
    assert m is not None
    counts = (len(m.alliances), len(m.enterprises), len(m.stories), len(m.stations),
              len(m.listings), len(m.pages))
    if en:
        done = f"built {result.pages} pages" if write else "checked"
        return (f"OK: {counts[0]} alliances, {counts[1]} members, {counts[2]} stories, "
                f"{counts[3]} stations, {counts[4]} listings, {counts[5]} pages; {done}, "
                f"{warnings} warning(s), {elapsed:.2f} s.")
    done = f"生成 {result.pages} 个页面" if write else "检查通过"
    return (f"完成：{counts[0]} 个联盟、{counts[1]} 家成员单位、{counts[2]} 篇案例、"
            f"{counts[3]} 个阵地、{counts[4]} 条清单、{counts[5]} 个页面；{done}，"
            f"{warnings} 个警告，用时 {elapsed:.2f} 秒。")
