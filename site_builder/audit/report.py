"""The audit's report: for the terminal, and as one HTML file for the department's records."""

from __future__ import annotations

from html import escape

from site_builder.audit.inspect import Audit
from site_builder.core.diagnostics import AUDIT_LEVELS

_NAMES = {"严重": "严重（单项否决）", "警告": "警告", "提醒": "提醒"}


def verdict(audit: Audit) -> str:
    if audit.fails:
        return f"自查结论：不合格，有 {audit.count('严重')} 项会被判为单项否决的问题。"
    return "自查结论：未发现会被判为单项否决的问题。"


def _columns(audit: Audit) -> list[tuple[str, str, str]]:
    rows = []
    for _kind, name, newest, count in audit.columns:
        days = f"{(audit.today - newest).days} 天前" if newest else "—"
        shown = f"{newest.isoformat()}（{days}）" if newest else "无日期"
        rows.append((name, f"{count} 项", shown))
    return rows


def format_text(audit: Audit) -> str:
    """What `site-builder audit` prints."""
    lines = [f"政府网站自查：{audit.site_title}（{audit.base_url}）",
             f"检查日期：{audit.today.isoformat()}"
             + (f"　内容版本：{audit.git_head[:10]}" if audit.git_head else ""), ""]
    lines.append("各栏目最近更新：")
    lines += [f"  {name}：{count}，最近 {newest}" for name, count, newest in _columns(audit)]
    for level in AUDIT_LEVELS:
        items = [f for f in audit.findings if f.level == level]
        if not items:
            continue
        lines += ["", f"【{_NAMES[level]}】{len(items)} 项"]
        for f in items:
            lines += [f"{f.location()}  {level}", f"  {f.message()}", f"  提示：{f.hint()}"]
    lines += ["", verdict(audit)]
    return "\n".join(lines)


_STYLE = """
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;color:#1f2328;line-height:1.6}
h1{font-size:1.5em}table{border-collapse:collapse;width:100%;margin:1em 0}
th,td{border:1px solid #d0d4d9;padding:.4em .6em;text-align:left;vertical-align:top}
th{background:#f3f4f6}.严重{color:#a40e16;font-weight:bold}.警告{color:#7a4b00}
.verdict{font-size:1.15em;font-weight:bold;padding:.6em;border:2px solid currentColor}
code{overflow-wrap:anywhere}
"""


def format_html(audit: Audit) -> str:
    """A standalone page (no script, no outside file), to print or keep."""
    e = escape
    rows = "".join(f"<tr><td>{e(n)}</td><td>{e(c)}</td><td>{e(d)}</td></tr>"
                   for n, c, d in _columns(audit))
    found = "".join(
        f'<tr><td class="{f.level}">{e(f.level)}</td><td><code>{e(f.location())}</code></td>'
        f"<td>{e(f.message())}</td><td>{e(f.hint())}</td></tr>" for f in audit.findings)
    counts = "，".join(f"{level} {audit.count(level)} 项" for level in AUDIT_LEVELS)
    version = f"，内容版本 {e(audit.git_head[:10])}" if audit.git_head else ""
    return (
        '<!doctype html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>政府网站自查报告 · {e(audit.site_title)}</title>\n<style>{_STYLE}</style>\n"
        "</head>\n<body>\n<main>\n"
        f"<h1>政府网站自查报告：{e(audit.site_title)}</h1>\n"
        f"<p>网址 {e(audit.base_url)}，检查日期 {audit.today.isoformat()}{version}。"
        f"由 site-builder audit 生成。</p>\n"
        f'<p class="verdict">{e(verdict(audit))}（{counts}）</p>\n'
        "<h2>各栏目最近更新</h2>\n<table><thead><tr><th>栏目</th><th>内容</th><th>最近更新</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>\n"
        "<h2>发现的问题</h2>\n"
        + (f"<table><thead><tr><th>级别</th><th>位置</th><th>问题</th><th>怎样改</th></tr>"
           f"</thead><tbody>{found}</tbody></table>\n" if audit.findings
           else "<p>没有发现问题。</p>\n")
        + "</main>\n</body>\n</html>\n")
