"""The web-server examples in docs/ci/ say the same thing, in nginx's words and Apache's."""

from __future__ import annotations

import re

from site_builder.load.media import MEDIA_SUFFIXES
from tests.conftest import REPO

NGINX = (REPO / "docs/ci/nginx.conf").read_text(encoding="utf-8")
APACHE = (REPO / "docs/ci/apache.conf").read_text(encoding="utf-8")


def nginx_headers() -> dict[str, object]:
    """The site's CSP, the SVG files' CSP and the extensions sent as attachments."""
    svg = re.search(r"location ~\* \\\.svg\$ \{(.*?)\}", NGINX, re.S)
    office = re.search(r"location ~\* \\\.\(([a-z0-9|]+)\)\$ \{(.*?)\}", NGINX, re.S)
    assert svg and office
    return {
        "site": re.search(r'add_header Content-Security-Policy "([^"]+)" always;',
                          NGINX).group(1),  # type: ignore[union-attr]
        "svg": re.search(r'Content-Security-Policy "([^"]+)"', svg.group(1)).group(1),  # type: ignore[union-attr]
        "attachments": set(office.group(1).split("|")),
        "attachment header": 'Content-Disposition "attachment"' in office.group(2),
    }


def apache_headers() -> dict[str, object]:
    svg = re.search(r'<FilesMatch "\(\?i\)\\\.svg\$">(.*?)</FilesMatch>', APACHE, re.S)
    office = re.search(r'<FilesMatch "\(\?i\)\\\.\(([a-z0-9|]+)\)\$">(.*?)</FilesMatch>',
                       APACHE, re.S)
    assert svg and office
    return {
        "site": re.search(r'Header always set Content-Security-Policy "([^"]+)"',
                          APACHE).group(1),  # type: ignore[union-attr]
        "svg": re.search(r'Content-Security-Policy "([^"]+)"', svg.group(1)).group(1),  # type: ignore[union-attr]
        "attachments": set(office.group(1).split("|")),
        "attachment header": 'Header always set Content-Disposition "attachment"'
        in office.group(2),
    }


def test_nginx_and_apache_examples_send_the_same_headers() -> None:
    assert nginx_headers() == apache_headers()


def test_every_response_says_nosniff() -> None:
    # nginx forgets the server's add_header lines in a location with its own: each of the
    # two locations repeats it. Apache's <FilesMatch> adds to the lines above it.
    assert NGINX.count('add_header X-Content-Type-Options "nosniff" always;') == 3
    assert APACHE.count('Header always set X-Content-Type-Options "nosniff"') == 1


def test_svg_files_run_no_script_even_if_one_got_in() -> None:
    policy = nginx_headers()["svg"]
    assert "sandbox" in str(policy) and "default-src 'none'" in str(policy)


def test_office_documents_archives_and_tables_are_downloads_pdf_and_media_are_not() -> None:
    attachments = nginx_headers()["attachments"]
    assert attachments == {"doc", "docx", "xls", "xlsx", "ppt", "pptx", "wps", "et", "dps",
                           "odt", "ods", "odp", "csv", "zip", "rar", "7z"}
    assert {f".{e}" for e in attachments} <= MEDIA_SUFFIXES  # only kinds media/ accepts


def test_the_site_policy_allows_only_this_site_and_the_tiles() -> None:
    policy = dict(p.strip().split(" ", 1) for p in str(nginx_headers()["site"]).split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert policy["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert policy["connect-src"] == "'self'"
