"""Rewrite `url('feed.xml')` in a parsed template as `root ~ 'feed.xml'`, once, when the
template is compiled.

The theme links a dozen fixed site paths on every page (the masthead, the footer), each
through `url()` and Jinja's call machinery: 220,000 calls at N=300 for text that only
depends on the page's depth. `url()` of such a path is `root` plus the path without its
leading slash, and of an outside address (http:, mailto:, tel:, #) the address itself;
the rewritten template gives the same text without the call.

Only a call with one literal string and nothing else is rewritten, and nothing in a
template that binds `url` or `root` itself (assigned, a loop or macro variable, imported).
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

_OUTSIDE = ("http://", "https://", "mailto:", "tel:", "#")


def _binds(tree: nodes.Template, names: set[str]) -> bool:
    if any(n.name in names for n in tree.find_all(nodes.Name) if n.ctx != "load"):
        return True
    if any(n.target in names for n in tree.find_all(nodes.Import)):
        return True
    return any((name if isinstance(name, str) else name[-1]) in names
               for n in tree.find_all(nodes.FromImport) for name in n.names)


class FoldSiteUrls(NodeTransformer):
    def __call__(self, tree: nodes.Template) -> nodes.Template:
        if _binds(tree, {"url", "root"}):
            return tree
        return self.visit(tree)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        if (isinstance(node.node, nodes.Name) and node.node.name == "url"
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and isinstance(node.args[0].value, str) and not node.kwargs
                and node.dyn_args is None and node.dyn_kwargs is None):
            text = node.args[0].value
            if text.startswith(_OUTSIDE):
                return nodes.Const(text, lineno=node.lineno)
            return nodes.Concat([nodes.Name("root", "load", lineno=node.lineno),
                                 nodes.Const(text.lstrip("/"), lineno=node.lineno)],
                                lineno=node.lineno)
        return self.generic_visit(node)


def chain(*folds: Callable[[nodes.Template], nodes.Template]
          ) -> Callable[[nodes.Template], nodes.Template]:
    """One fold that applies `folds` in turn."""
    def fold(tree: nodes.Template) -> nodes.Template:
        for one in folds:
            tree = one(tree)
        return tree

    return fold
