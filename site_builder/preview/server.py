"""Serve: build into memory, serve the last good site, reload every open tab after a save.

    save ─► watch (classify, debounce) ─► LivePreview.rebuild ─► new build id ─► tabs reload

The parts: `state` (builds and the site being served), `live` (the reload script and
overlay), `hosts` (which Host headers are answered), `http` (the request handler),
`watch` (file events) and `session` (all of them running together). `serve` is the
command.
"""

from __future__ import annotations

import secrets
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Iterable
from pathlib import Path

from site_builder.preview.hosts import is_loopback
from site_builder.preview.live import STATUS_PATH
from site_builder.preview.session import PreviewSession
from site_builder.preview.state import BuildOutcome, LivePreview

__all__ = ["STATUS_PATH", "BuildOutcome", "LivePreview", "PreviewSession", "serve"]

EXIT_OK, EXIT_USAGE = 0, 2


def serve(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False, allow_hosts: Iterable[str] = (),
          edit_token: str | None = None) -> int:
    """Preview the site at http://host:port/ until Ctrl+C; return the exit code."""
    if threading.current_thread() is threading.main_thread():
        # Started in the background by a shell (`&`), a process inherits SIGINT ignored, and
        # Ctrl+C (or a test's SIGINT) would never stop the preview.
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        if edit_token == "auto":
            edit_token = secrets.token_urlsafe(12)
        session = PreviewSession(site_dir, host, port, allow_hosts=allow_hosts,
                                 edit_token=edit_token)
    except OSError as exc:
        print(f"site-builder: 无法在 {host}:{port} 上启动预览（{exc.strerror or exc}）。"
              f"端口可能已被占用，请换一个，例如 --port {port + 1}\n"
              f"site-builder: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(host):
        print(f"注意：--host {host} 让同一网络中的其他电脑也能打开这个预览，包括草稿和未到发布"
              "日期的案例。只在确实需要时使用。\n"
              f"Warning: --host {host} makes the preview, drafts included, visible on the "
              "network.", file=sys.stderr, flush=True)
        _print_network_names(session)
    try:
        print(f"正在生成网站（{session.site_dir}）…", flush=True)
        session.start()
        print(f"预览地址 {session.url} （按 Ctrl+C 退出）", flush=True)
        _print_workbench(session, host, edit_token)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(session.url,), daemon=True).start()
        session.wait()
    except KeyboardInterrupt:
        print("\n已停止预览 / preview stopped", flush=True)
    finally:
        # Bounded: a watcher or a build stuck in the operating system must never keep Ctrl+C
        # from ending the preview (the command ends the process with os._exit after this).
        stopper = threading.Thread(target=session.stop, name="site-builder-stop", daemon=True)
        stopper.start()
        stopper.join(timeout=10)
    return EXIT_OK


def _print_workbench(session: PreviewSession, host: str, edit_token: str | None) -> None:
    """Where to edit, and (once) the token a preview open to the network asks for."""
    if not session.guard.enabled:
        print("编辑工作台已关闭：预览开放在网络上，需要编辑时请加 --edit-token auto 启动。\n"
              "Editing is off on a network preview (see --edit-token).", flush=True)
        return
    print(f"编辑工作台 {session.url}_edit/ （在预览页面上点“编辑”也能进入）", flush=True)
    if edit_token:
        print(f"编辑口令：{edit_token} （打开编辑工作台时输入；只显示这一次）", flush=True)


def _print_network_names(session: PreviewSession) -> None:
    """Say how other computers reach the preview, and that other names are refused."""
    port = session.server.server_address[1]
    name = socket.gethostname().split(".")[0]
    print(f"其他电脑请用本机的 IP 地址或计算机名打开，例如 http://{name}:{port}/ ；"
          "用别的名字打开会被拒绝（确实需要时加 --allow-host 名字）。\n"
          f"Other computers: use this computer's IP address or name, e.g. "
          f"http://{name}:{port}/ ; other names are refused (see --allow-host).",
          file=sys.stderr, flush=True)
