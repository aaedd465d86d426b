"""`python -m site_builder` is the same program as `site-builder`."""

from .cli import console

console()
