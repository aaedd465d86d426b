"""The formats of a government website's filing numbers (site.yaml `filing:`).

Each check takes the text as written and returns it normalised (spaces removed where the
number has none), or None when it is not in that number's format. The diagnostics that
explain each format are the `filing-*` entries of the message catalogue.
"""

from __future__ import annotations

import re

# Provinces' one-character abbreviations, as ICP and 公安 filing numbers begin.
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"

# 苏ICP备12345678号-1 (filings since 2005 have 8 digits, older ones 6 or 7), or an ICP
# licence 京ICP证030173号 that commercial sites show instead.
_ICP = re.compile(rf"[{PROVINCES}]ICP(备\d{{6,10}}号(-\d{{1,3}})?|证\d{{6}}号)")
# 苏公网安备32011402000001号: the 14-digit record code is the query page's parameter.
_POLICE = re.compile(rf"[{PROVINCES}]公网安备(\d{{14}})号")
# 政府网站标识码: the 6-digit administrative division code and 4 digits for local sites,
# "bm" and 8 digits for State Council departments' sites.
_SITE_CODE = re.compile(r"\d{10}|bm\d{8}", re.IGNORECASE)
# The 党政机关网站标识 links to its certificate by a 32-character identifier.
_CONAC = re.compile(r"[0-9a-fA-F]{32}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Landlines with an area code (025-12345678, (025)12345678, 025-1234567-8001), mobiles,
# 400/800 numbers and short public-service numbers (12345).
_PHONE = re.compile(
    r"(\(?0\d{2,3}\)?-?)?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4}|1\d{4}")

def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def icp_number(text: str) -> str | None:
    value = _compact(text)
    return value if _ICP.fullmatch(value) else None


def police_number(text: str) -> str | None:
    value = _compact(text)
    return value if _POLICE.fullmatch(value) else None


def police_code(number: str) -> str:
    """The 14-digit record code of a 公安 filing number (its query page's parameter)."""
    found = _POLICE.fullmatch(number)
    return found.group(1) if found else ""


def site_code(text: str) -> str | None:
    value = _compact(text)
    return value if _SITE_CODE.fullmatch(value) else None


def conac_code(text: str) -> str | None:
    value = _compact(text)
    return value if _CONAC.fullmatch(value) else None


def contact(text: str) -> str | None:
    """A phone number or an e-mail address, kept as written (spaces and all)."""
    value = text.strip()
    plain = re.sub(r"[\s\u2010-\u2015－]", "-", value).replace("（", "(").replace("）", ")")
    plain = re.sub(r"-+", "-", plain).strip("-")
    if _EMAIL.fullmatch(value) or _PHONE.fullmatch(plain) or _PHONE.fullmatch(
            plain.replace("-", "")):
        return value
    return None


CHECKS = {
    "icp": icp_number,
    "police": police_number,
    "site_code": site_code,
    "conac": conac_code,
    "contact": contact,
}
