"""What a browser would post for a workbench page's form: every named input (a checkbox
only when checked), each textarea's text and each select's chosen option, skipping the
<template> rows the script copies. Used by the tests and by benchmarks/bench_workbench.py."""

from __future__ import annotations

import html.parser


class FormPost(html.parser.HTMLParser):
    """Feed a page; `data` is the (name, value) list its form would send."""

    def __init__(self) -> None:
        super().__init__()
        self.data: list[tuple[str, str]] = []
        self._area: list[str] | None = None
        self._select: list[str | None] | None = None
        self._inside = self._template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._template += tag == "template"
        if tag == "form" and "wb-form" in a.get("class", "").split():
            self._inside = 1
        if self._template or not self._inside:
            return
        if tag == "input" and "name" in a:
            if a.get("type") != "checkbox" or "checked" in a:
                self.data.append((a["name"], a.get("value", "")))
        elif tag == "textarea" and "name" in a:
            self._area = [a["name"], ""]
        elif tag == "select" and "name" in a:
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            if self._select[2] is None:
                self._select[2] = a.get("value", "")
            if "selected" in a:
                self._select[1] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        self._template -= tag == "template"
        if tag == "form":
            self._inside = 0
        if tag == "textarea" and self._area is not None:
            # A browser drops the newline right after <textarea>.
            self.data.append((self._area[0], self._area[1].removeprefix("\n")))
            self._area = None
        if tag == "select" and self._select is not None:
            name, chosen, first = self._select
            self.data.append((str(name), str(chosen if chosen is not None else first)))
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._area[1] += data


def form_post(page: str) -> list[tuple[str, str]]:
    parser = FormPost()
    parser.feed(page)
    return parser.data
