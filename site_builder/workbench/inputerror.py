"""What staff typed, pasted or dropped cannot be used: the reason and the fix, in Chinese for
the form and in English for the log."""

from __future__ import annotations


class InputError(ValueError):
    """`zh` and `en` say why the input cannot be used and how to give one that can."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en
