"""`python -m site_builder` is the same program as `site-builder`."""

from site_builder.cli import console

console()
