"""Who may write: editing is on only where the preview is private (loopback), or with the
token printed at start; every write carries the session's CSRF token and comes from the
preview's own origin. (The Host header was already checked for every request by the
preview's HostPolicy: another name, as in DNS rebinding, never gets this far.)"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

TOKEN_COOKIE = "sb_edit"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Guard:
    """The rules of one `serve`: whether editing is on, and the secrets writes must carry."""

    enabled: bool
    edit_token: str | None = None  # --edit-token: also needed to open the workbench
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    @classmethod
    def for_serve(cls, loopback: bool, edit_token: str | None) -> Guard:
        # Off the loopback interface anyone on the network could write: only with a token.
        return cls(enabled=loopback or bool(edit_token), edit_token=edit_token or None)

    def signed_in(self, cookies: Mapping[str, str]) -> bool:
        """Whether the browser holds the edit token (always, when none is needed)."""
        if self.edit_token is None:
            return True
        return hmac.compare_digest(cookies.get(TOKEN_COOKIE, ""), self.edit_token)

    def may_write(self, headers: Mapping[str, str], cookies: Mapping[str, str],
                  posted_csrf: str | None) -> str | None:
        """None when this write is allowed; otherwise why not (for the 403 page)."""
        if not self.enabled:
            return "编辑功能没有开启：预览不在本机地址上运行，且没有给出 --edit-token。"
        host = headers.get("Host", "")
        origin = headers.get("Origin")
        # Browsers send Origin with every POST; one missing or foreign is not our form.
        if origin is None or origin != f"http://{host}":
            return "请求不是从本预览的页面发出的（Origin 不符），没有保存。"
        if not self.signed_in(cookies):
            return "需要先输入启动预览时显示的编辑口令。"
        sent = posted_csrf or headers.get(CSRF_HEADER) or ""
        if not hmac.compare_digest(sent, self.csrf):
            return "表单已过期或不是本次预览给出的（缺少有效的校验码），请刷新页面后重试。"
        return None

    def token_matches(self, typed: str) -> bool:
        return self.edit_token is not None and hmac.compare_digest(typed.strip(),
                                                                   self.edit_token)


def parse_cookies(header: str | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in (header or "").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
