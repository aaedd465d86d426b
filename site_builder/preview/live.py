"""The reload script and overlay added to every served HTML page (never to `build` output).

The script long-polls the status URL and reloads the tab when a new build is published.
While the build fails it shows the problems in an overlay; while content/ is missing it
shows a notice saying so instead.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from site_builder.preview.state import Snapshot

STATUS_PATH = "/__sb/status"


def inject(html: bytes, snippet: bytes) -> bytes:
    """Insert `snippet` before the last </body>, or at the end when there is none."""
    at = html.lower().rfind(b"</body>")
    return html[:at] + snippet + html[at:] if at >= 0 else html + snippet


def edit_link(source: str) -> bytes:
    """The visible 编辑 link of a record's page: to its form in the workbench."""
    href = "/_edit/" + quote(source)
    return (f'<a rel="edit" id="sb-edit" href="{href}" style="position:fixed;right:16px;'
            'bottom:16px;z-index:2147483000;background:#a40000;color:#fff;padding:10px 18px;'
            'font-size:18px;line-height:1.4;border-radius:6px;text-decoration:none;'
            'box-shadow:0 2px 6px rgba(0,0,0,.3)">编辑</a>\n').encode()


def status_json(snap: Snapshot) -> dict[str, Any]:
    """What the reload script needs: the build id and the problems to show."""
    return {"build": snap.build_id, "failed": snap.failed, "lang": snap.lang,
            "site": bool(snap.files), "missing": snap.missing, "problems": list(snap.problems)}


def live_snippet(snap: Snapshot) -> bytes:
    """The reload script and overlay for one response, carrying the state it was built from."""
    state = json.dumps(status_json(snap), ensure_ascii=False)
    # Inside <script>, '</script>' in a message would end the script: escape the markup.
    state = state.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    state = state.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    script = _LIVE_SCRIPT.replace("__STATE__", state).replace("__STATUS__", STATUS_PATH)
    return f'<script id="sb-live">{script}</script>\n'.encode()


# The script stops polling while the tab is hidden (MkDocs #3389: long polls from many
# background tabs used up the browser's connections) and polls again when it comes back.
# The overlay lives in a shadow root so the site's CSS cannot hide or restyle it.
_LIVE_SCRIPT = """
(function () {
  "use strict";
  var state = __STATE__;
  var en = state.lang === "en";
  var T = en ? {
    title: function (n) { return "The site could not be built: " + n + " problem(s)"; },
    lead: "The browser still shows the last good version. Fix the problems below and save; "
      + "this page reloads by itself.",
    none: "There is no site to show yet. Fix the problems below and save; "
      + "this page reloads by itself.",
    missing: function (f) { return "The " + f + " folder is missing"; },
    key: "key", hint: "Hint: ", hide: "Hide", error: "Error", warning: "Warning",
    edit: "Fix it in the workbench"
  } : {
    title: function (n) { return "网站生成失败：发现 " + n + " 个问题"; },
    lead: "浏览器里显示的仍是上一次成功生成的网站。请按下面的说明改正并保存，页面会自动刷新。",
    none: "现在还没有可以显示的网站。请按下面的说明改正并保存，页面会自动刷新。",
    missing: function (f) { return f + " 文件夹不见了"; },
    key: "键", hint: "提示：", hide: "暂时隐藏", error: "错误", warning: "警告",
    edit: "在编辑工作台里修改"
  };
  var current = null, timer = null, delay = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function problemItem(p) {
    var li = el("li", p.severity === "error" ? "error" : "warning");
    var where = el("p", "where");
    where.appendChild(el("span", "sev", p.severity === "error" ? T.error : T.warning));
    where.appendChild(el("code", "loc", p.location));
    if (p.key) where.appendChild(el("span", "key", T.key + " " + p.key));
    li.appendChild(where);
    li.appendChild(el("p", "msg", p.message));
    if (p.hint) li.appendChild(el("p", "hint", T.hint + p.hint));
    if (p.edit) {
      var a = el("a", "edit", T.edit);
      a.href = p.edit;
      li.appendChild(a);
    }
    return li;
  }

  function showOverlay(problems) {
    var old = document.getElementById("sb-overlay");
    if (old) old.remove();
    if (!state.failed || !problems.length) return;
    var host = el("div");
    host.id = "sb-overlay";
    var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
    var style = el("style");
    style.textContent = ":host{all:initial}"
      + ".box{position:fixed;z-index:2147483647;top:0;left:0;right:0;max-height:85vh;"
      + "overflow:auto;box-sizing:border-box;padding:16px 20px;background:#fff;color:#1a1a1a;"
      + "border-bottom:4px solid #b3121b;box-shadow:0 4px 24px rgba(0,0,0,.35);"
      + "font:16px/1.6 system-ui,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif}"
      + "h2{margin:0 0 4px;font-size:20px;color:#b3121b}.lead{margin:0 0 12px}"
      + "ol{margin:0;padding:0 0 0 1.4em}li{margin:0 0 12px}p{margin:0}"
      + ".where{font-weight:600}.loc{font:15px/1.4 ui-monospace,Consolas,monospace;"
      + "background:#f3f3f3;padding:1px 4px;margin:0 6px}.sev{color:#b3121b}"
      + ".warning .sev{color:#8a5a00}.key{color:#444}.hint{color:#333}"
      + ".edit{display:inline-block;margin:.2em 0;color:#0b4f9c;font-weight:bold}"
      + "button{float:right;font:inherit;padding:2px 10px;cursor:pointer}";
    var box = el("section", "box");
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "sb-title");
    var hide = el("button", "", T.hide);
    hide.type = "button";
    hide.addEventListener("click", function () { host.remove(); });
    // A missing content/ folder is not a mistake in a file: a plain notice, no list.
    var title = el("h2", "", state.missing ? T.missing(state.missing) : T.title(problems.length));
    title.id = "sb-title";
    box.appendChild(hide);
    box.appendChild(title);
    if (state.missing) {
      problems.forEach(function (p) { box.appendChild(el("p", "lead", p.hint)); });
    } else {
      var list = el("ol");
      problems.forEach(function (p) { list.appendChild(problemItem(p)); });
      box.appendChild(el("p", "lead", state.site ? T.lead : T.none));
      box.appendChild(list);
    }
    root.appendChild(style);
    root.appendChild(box);
    document.body.appendChild(host);
  }

  function poll() {
    if (document.hidden || current) return;
    var mine = current = new AbortController();
    fetch("__STATUS__?v=" + encodeURIComponent(state.build),
          {cache: "no-store", signal: mine.signal})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        if (current !== mine) return;
        current = null;
        delay = 0;
        if (s.build !== state.build) { location.reload(); return; }
        poll();
      })
      .catch(function () {
        if (current !== mine) return;
        current = null;
        // The server is restarting or gone: try again, gently.
        delay = Math.min(delay ? delay * 2 : 500, 5000);
        timer = setTimeout(poll, delay);
      });
  }

  function stop() {
    clearTimeout(timer);
    if (current) { var c = current; current = null; c.abort(); }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop(); else poll();
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", poll);
  if (document.body) showOverlay(state.problems);
  else document.addEventListener("DOMContentLoaded", function () { showOverlay(state.problems); });
  poll();
})();
"""
