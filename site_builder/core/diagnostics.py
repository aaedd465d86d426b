"""Diagnostics: every problem a build finds, with where it is and how to fix it.

Each message lives once in CATALOGUE, keyed by a stable code, in Chinese and English.
Severity belongs to the check (the catalogue entry); `--strict` promotes warnings at the
end of a build, never on the first record.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class L:
    """A word or phrase in both languages, for message arguments."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Message:
    severity: Severity
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


E, W = Severity.ERROR, Severity.WARNING

# One entry per error family. Arguments in {braces}; {hint} entries may be empty when the
# argument they need (a suggestion) is missing: see Diagnostic.hint().
CATALOGUE: dict[str, Message] = {
    "decode": Message(
        E,
        "文件不是 UTF-8 编码（看起来是 {encoding} 编码）。",
        "The file is not UTF-8 encoded (it looks like {encoding}).",
        "用编辑器把文件另存为“UTF-8”编码。VS Code：点右下角的编码名 → 通过编码保存 → UTF-8；"
        "记事本：另存为 → 编码选 UTF-8。",
        "Save the file as UTF-8 in your editor (VS Code: click the encoding in the status bar → "
        "Save with Encoding → UTF-8).",
    ),
    "yaml-syntax": Message(
        E,
        "YAML 格式错误：{problem}。",
        "YAML syntax error: {problem}.",
        "检查这一行和上一行：缩进要用空格且对齐，冒号后要有空格，引号要成对。"
        "含有冒号“: ”、“#”或以 [ {{ * & ! | > @ 开头的文字，请整体加上引号。",
        "Check this line and the one above: indent with spaces, put a space after each colon, "
        "close every quote. Quote text that contains ': ' or '#' or starts with [ {{ * & ! | > @.",
    ),
    "duplicate-key": Message(
        E,
        "键“{name}”在同一层写了两次。",
        "The key '{name}' appears twice at the same level.",
        "删掉其中一个，或把两处内容合并（第一次出现在第 {first_line} 行）。",
        "Remove one of them or merge them (the first is on line {first_line}).",
    ),
    "yaml-tag": Message(
        E,
        "不支持 YAML 标签“{tag}”。",
        "YAML tags such as '{tag}' are not allowed.",
        "去掉以 ! 开头的标签，直接写值。",
        "Remove the tag starting with '!' and write the plain value.",
    ),
    "front-matter-missing": Message(
        E,
        "文件开头缺少用 --- 包起来的元数据（front matter）。",
        "The file does not start with front matter between --- lines.",
        "第一行写 ---，接着写 title: 等键，再写一行 --- 结束，然后才是正文。",
        "Put --- on the first line, then the keys (title: …), then a line with ---, then the text.",
    ),
    "front-matter-unclosed": Message(
        E,
        "元数据从第 {opened} 行的 --- 开始，但没有找到结束的 --- 行。",
        "The front matter opened with --- on line {opened} is never closed by a --- line.",
        "在元数据最后一个键的下一行单独写一行 ---，再写正文。",
        "Add a line with just --- after the last key, before the text.",
    ),
    "not-mapping": Message(
        E,
        "这里应是“键: 值”的列表（映射），实际写的是{got}。",
        "A mapping of 'key: value' pairs is expected here, not {got}.",
        "每行写成“键: 值”，例如 name: 某某公司。",
        "Write one 'key: value' per line, e.g. 'name: Example Ltd'.",
    ),
    "unknown-key": Message(
        E,
        "不认识的键“{name}”。",
        "Unknown key '{name}'.",
        "是不是想写“{suggestion}”？这里可用的键：{allowed}。",
        "Did you mean '{suggestion}'? Keys accepted here: {allowed}.",
    ),
    "unknown-key-nosuggest": Message(
        E,
        "不认识的键“{name}”。",
        "Unknown key '{name}'.",
        "这里可用的键：{allowed}。自定义数据请放在 extra: 下面。",
        "Keys accepted here: {allowed}. Put free-form data under 'extra:'.",
    ),
    "missing-key": Message(
        E,
        "缺少必填的键“{name}”（{meaning}）。",
        "The required key '{name}' ({meaning}) is missing.",
        "在{where}添加一行 {leaf}: …",
        "Add a line '{leaf}: …' {where_en}.",
    ),
    "empty-required": Message(
        E,
        "必填的键“{name}”没有填写内容（{meaning}）。",
        "The required key '{name}' ({meaning}) is empty.",
        "在这一行的冒号后面写上内容（冒号后留一个空格）。",
        "Write its value after the colon on this line.",
    ),
    "listing-needs-enterprise": Message(
        E,
        "“需求”类清单必须写 enterprise（提出需求的企业）。",
        "A listing of kind 需求 (need) must name its enterprise.",
        "添加一行 enterprise: 企业的文件名（不含 .yaml），例如 enterprise: shagang。",
        "Add 'enterprise: <slug of the enterprise file>'.",
    ),
    "wrong-type": Message(
        E,
        "“{name}”应写{expected}，这里写的是{got}。",
        "'{name}' must be {expected}, not {got}.",
        "{example}",
        "{example}",
    ),
    "empty-list": Message(
        E,
        "“{name}”至少要写 {min} 项。",
        "'{name}' needs at least {min} item(s).",
        "{example}",
        "{example}",
    ),
    "too-long": Message(
        E,
        "文字太长：{length} 个字，最多 {max} 个字。",
        "The text is too long: {length} characters, at most {max}.",
        "精简到 {max} 个字以内；长的介绍请写在正文或 description 中。",
        "Shorten it to {max} characters; put longer text in the body or description.",
    ),
    "bad-slug": Message(
        E,
        "文件名“{slug}”不能用作网址。",
        "The file name '{slug}' cannot be used in a URL.",
        "文件名只能用小写英文字母、数字和单个连字符（-），不超过 64 个字符，例如 {example}。",
        "Use lower-case ASCII letters, digits and single hyphens, at most 64 characters, "
        "e.g. {example}.",
    ),
    "bad-slug-value": Message(
        E,
        "“{value}”不是有效的文件名（slug）。",
        "'{value}' is not a valid slug.",
        "引用其他条目时写它的文件名（不含扩展名），只含小写英文字母、数字和连字符。",
        "Refer to other items by their file name without extension: lower-case letters, "
        "digits and hyphens.",
    ),
    "bad-date": Message(
        E,
        "“{value}”不是有效的日期。",
        "'{value}' is not a valid date.",
        "写成 2023、2023-04 或 2023-04-20（也可写 2023年4月20日）。",
        "Write 2023, 2023-04 or 2023-04-20.",
    ),
    "bad-enum": Message(
        E,
        "“{value}”不是可用的取值。",
        "'{value}' is not an accepted value.",
        "是不是想写“{suggestion}”？可用的取值：{allowed}。",
        "Did you mean '{suggestion}'? Accepted values: {allowed}.",
    ),
    "bad-enum-nosuggest": Message(
        E,
        "“{value}”不是可用的取值。",
        "'{value}' is not an accepted value.",
        "可用的取值：{allowed}。",
        "Accepted values: {allowed}.",
    ),
    "bad-url": Message(
        E,
        "“{value}”不是有效的网址。",
        "'{value}' is not a valid URL.",
        "外部网址以 http:// 或 https:// 开头；站内地址以 / 开头，例如 /alliances/。",
        "External URLs start with http:// or https://; site addresses start with /.",
    ),
    "bad-base-url": Message(
        E,
        "base_url“{value}”不是完整的网址。",
        "base_url '{value}' is not an absolute URL.",
        "写成网站发布后的完整地址，例如 https://www.example.gov.cn/dangjian/。",
        "Write the full published address, e.g. https://www.example.gov.cn/dangjian/.",
    ),
    "bad-email": Message(
        E,
        "“{value}”不是有效的电子邮箱。",
        "'{value}' is not a valid e-mail address.",
        "写成 name@example.gov.cn 的形式。",
        "Write it as name@example.org.",
    ),
    "bad-coordinate": Message(
        E,
        "{axis}“{value}”超出范围（{low} 到 {high}）。",
        "{axis} '{value}' is out of range ({low} to {high}).",
        "纬度 lat 在前、经度 lon 在后，用小数表示，例如 lat: 31.99，lon: 118.77。",
        "Latitude first, longitude second, in decimal degrees, e.g. lat: 31.99, lon: 118.77.",
    ),
    "out-of-china": Message(
        W,
        "坐标（{lat}，{lon}）不在中国境内。",
        "The point ({lat}, {lon}) lies outside China.",
        "检查 lat 和 lon 是否写反了：中国境内（含南海诸岛）纬度约 3–54，经度约 73–136。",
        "Check that lat and lon are not swapped: China spans about lat 3–54, lon 73–136.",
    ),
    "dangling-ref": Message(
        E,
        "找不到{target}“{value}”。",
        "There is no {target} '{value}'.",
        "是不是想写“{suggestion}”？{target}的文件在 content/{folder}/ 下，引用时写文件名。",
        "Did you mean '{suggestion}'? {target} files are in content/{folder}/; refer to them "
        "by file name.",
    ),
    "dangling-ref-nosuggest": Message(
        E,
        "找不到{target}“{value}”。",
        "There is no {target} '{value}'.",
        "{target}的文件在 content/{folder}/ 下，引用时写文件名（不含扩展名）。",
        "{target} files are in content/{folder}/; refer to them by file name without extension.",
    ),
    "ref-draft": Message(
        W,
        "引用的{target}“{value}”是草稿（draft: true），正式发布的网站中不会显示它。",
        "The referenced {target} '{value}' is a draft (draft: true) and will not be published.",
        "发布前把 {source} 中的 draft 改为 false，或去掉这个引用。",
        "Set draft: false in {source} before publishing, or remove the reference.",
    ),
    "chain-owner-not-member": Message(
        E,
        "链主“{value}”不是本联盟的成员。",
        "The chain owner '{value}' is not a member of this alliance.",
        "在 enterprises/{value}.yaml 的 memberships 里加一项 alliance: {alliance}，role: 链主。",
        "Add a membership 'alliance: {alliance}, role: 链主' to enterprises/{value}.yaml.",
    ),
    "chain-owner-role": Message(
        E,
        "链主“{value}”在本联盟的角色是“{role}”，不是“链主”。",
        "The chain owner '{value}' has the role '{role}' in this alliance, not 链主.",
        "把 enterprises/{value}.yaml 中这一联盟的 role 改为 链主，或改写 chain_owner。",
        "Change that membership's role to 链主 in enterprises/{value}.yaml, or fix chain_owner.",
    ),
    "duplicate-membership": Message(
        E,
        "同一个联盟“{value}”写了两次成员关系。",
        "The alliance '{value}' is listed twice in memberships.",
        "每个联盟只写一项；同时属于多个环节时选最主要的一个。",
        "List each alliance once; pick the main segment.",
    ),
    "missing-file": Message(
        E,
        "找不到文件“{value}”。",
        "The file '{value}' does not exist.",
        "联盟的图片放在它的文件夹里直接写文件名；共用图片放在 content/media/ 下，写成 /media/文件名。"
        "注意大小写和扩展名。",
        "Alliance images sit in its folder (write the file name); shared files go in "
        "content/media/ and are written /media/<name>. Mind upper/lower case and the extension.",
    ),
    "not-an-image": Message(
        E,
        "“{value}”不是图片（只支持 .jpg、.jpeg、.png、.webp、.gif、.svg）。",
        "'{value}' is not an image (.jpg, .jpeg, .png, .webp, .gif or .svg).",
        "换成图片文件。",
        "Use an image file.",
    ),
    "path-escape": Message(
        E,
        "路径“{value}”指向 content/ 文件夹以外。",
        "The path '{value}' points outside the content/ folder.",
        "把文件复制到 content/media/ 下，再写成 /media/文件名。",
        "Copy the file into content/media/ and refer to it as /media/<name>.",
    ),
    "dangling-link": Message(
        E,
        "正文里的链接“{value}”指向不存在的页面或文件。",
        "The link '{value}' in the text points to a page or file that does not exist.",
        "是不是想写“{suggestion}”？站内链接写成 /alliances/文件名/ 这样的地址。",
        "Did you mean '{suggestion}'? Site links look like /alliances/<slug>/.",
    ),
    "dangling-link-nosuggest": Message(
        E,
        "正文里的链接“{value}”指向不存在的页面或文件。",
        "The link '{value}' in the text points to a page or file that does not exist.",
        "站内链接写成 /alliances/文件名/、/media/图片.jpg 这样的地址。",
        "Site links look like /alliances/<slug>/ or /media/picture.jpg.",
    ),
    "draft-link": Message(
        W,
        "正文里的链接“{value}”指向草稿或尚未到发布日期的页面，正式网站上它会打不开。",
        "The link '{value}' points to a draft or a story not yet due: it will not work on the "
        "published site.",
        "发布前先发布被链接的页面，或去掉这个链接。",
        "Publish the linked page first, or remove the link.",
    ),
    "index-front-matter": Message(
        E,
        "联盟介绍 index.md 不需要 --- 元数据。",
        "An alliance's index.md takes no front matter.",
        "联盟的名称、简介等都写在同一文件夹的 alliance.yaml 中；index.md 只写正文。删掉开头两行 --- 之间的内容。",
        "Keys such as name and summary belong in alliance.yaml; index.md holds only text. "
        "Remove the part between the --- lines.",
    ),
    "broken-link": Message(
        E,
        "页面 {page} 里的链接“{value}”指向不存在的{what}。",
        "A link '{value}' on the page {page} leads to a missing {what}.",
        "链接写在正文（包括正文里的 HTML）中时改这个文件；若来自模板，检查网站的 templates/ 文件夹。",
        "If the link is in the text (raw HTML included) fix this file; if it comes from a "
        "template, check the site's templates/ folder.",
    ),
    "case-collision": Message(
        E,
        "这个文件名与“{other}”只差大小写，在 Windows 和 macOS 电脑上它们是同一个文件。",
        "This name differs from '{other}' only in upper/lower case: on Windows and macOS "
        "disks they are the same file.",
        "改掉其中一个的名字（文件名建议全部用小写）。",
        "Rename one of them (lower-case names are safest).",
    ),
    "file-too-large": Message(
        E,
        "文件太大：{size} MB，最多 {max} MB。",
        "The file is too large: {size} MB, at most {max} MB.",
        "图片请先压缩或缩小尺寸；很长的文字请拆成几个文件。",
        "Compress or shrink images; split very long texts into several files.",
    ),
    "image-too-large": Message(
        E,
        "图片尺寸太大：{width}×{height} 像素，最多约 {max} 百万像素。",
        "The image is too large: {width}×{height} pixels, at most about {max} megapixels.",
        "用图片软件把长边缩小到 4000 像素以内再放进来。",
        "Resize it to at most 4000 pixels on the long side.",
    ),
    "bad-image": Message(
        E,
        "图片文件已损坏或不是它的扩展名所说的格式。",
        "The image file is damaged or not in the format its extension says.",
        "用图片软件打开后重新另存为 JPG 或 PNG。",
        "Open it in an image editor and save it again as JPG or PNG.",
    ),
    "unexpected-file": Message(
        E,
        "content/ 里有一个不认识的文件。",
        "content/ holds a file the builder does not know what to do with.",
        "{expected}",
        "{expected}",
    ),
    "alliance-folder-empty": Message(
        E,
        "联盟文件夹里缺少 alliance.yaml。",
        "The alliance folder has no alliance.yaml.",
        "在这个文件夹里新建 alliance.yaml（可用 site-builder new alliance {slug} 生成）。",
        "Create alliance.yaml in this folder ('site-builder new alliance {slug}' writes one).",
    ),
    "missing-site": Message(
        E,
        "缺少网站设置文件 site.yaml。",
        "The site settings file site.yaml is missing.",
        "在 content/ 下新建 site.yaml，至少写 title 和 base_url（可参考 site-builder init 生成的示例）。",
        "Create content/site.yaml with at least title and base_url.",
    ),
    "tianditu-key": Message(
        E,
        "地图使用天地图，但没有提供天地图密钥（tk）。",
        "The map uses Tianditu but no Tianditu key is configured.",
        "在 site.yaml 的 map 下写 tianditu_key: 你的密钥，或设置环境变量 SITE_BUILDER_TIANDITU_KEY"
        "（密钥在天地图开放平台 console.tianditu.gov.cn 申请“浏览器端”类型）。",
        "Set map.tianditu_key in site.yaml or the SITE_BUILDER_TIANDITU_KEY environment variable "
        "(a browser key from the Tianditu developer console).",
    ),
    "custom-tiles": Message(
        E,
        "地图 provider 为 custom，但没有写瓦片地址 tiles。",
        "The map provider is custom but map.tiles is missing.",
        "在 map 下写 tiles: https://…/{{z}}/{{x}}/{{y}}.png，并写 attribution 和 coord_system。",
        "Add map.tiles (a URL template with {{z}}/{{x}}/{{y}}), attribution and coord_system.",
    ),
    "osm-default": Message(
        W,
        "没有配置地图底图，暂用 OpenStreetMap：它在中国大陆可能无法加载，也没有审图号。",
        "No base map is configured, so OpenStreetMap is used: its tiles may not load in "
        "mainland China and carry no map review number.",
        "在 site.yaml 中写 map: {{provider: tianditu, tianditu_key: 你的密钥, review_number: 天地图的审图号}}；"
        "若确定使用 OpenStreetMap，写 map: {{provider: osm}} 即不再提示。",
        "Configure Tianditu: map: {{provider: tianditu, tianditu_key: KEY, review_number: …}}; "
        "write map: {{provider: osm}} to keep OpenStreetMap without this warning.",
    ),
    "review-number": Message(
        W,
        "地图没有写审图号（review_number）。",
        "The map has no review number (map.review_number).",
        "按规定，网页上的地图须标注底图的审图号：从底图服务商页面上抄录当前的审图号，写在 map.review_number。",
        "Maps published in China must show the base map's review number (审图号): copy the "
        "provider's current number into map.review_number.",
    ),
    # ---- issue #20: images from other sites, a custom base map's tiles and attribution ----
    "outside-image": Message(
        E,
        "正文里的图片“{value}”来自其他网站。",
        "The image '{value}' in the text comes from another website.",
        "把图片下载后放进 content/media/（联盟的图片也可放在联盟文件夹里），再写成 ![说明](/media/文件名)："
        "外站图片会让对方网站知道谁在看这个页面，也可能被对方替换或删除。"
        "确需使用外站图片时，可在 site.yaml 写 outside_images: warn，改为只给警告。",
        "Download the image into content/media/ and write ![caption](/media/<name>): an image "
        "from another site tells that site who reads the page, and it can be changed or removed "
        "there. To allow them with a warning, write outside_images: warn in site.yaml.",
    ),
    "tiles-url": Message(
        E,
        "瓦片地址“{value}”不是以 https:// 开头的完整网址。",
        "The tile URL '{value}' is not a complete address starting with https://.",
        "照底图服务方给的地址原样写，例如 tiles: https://tiles.example.gov.cn/{{z}}/{{x}}/{{y}}.png。"
        "网站用 https 发布，http:// 的底图浏览器不会加载；地址里不能有空格、引号、尖括号和反斜杠。",
        "Copy the address the tile service gives, e.g. "
        "tiles: https://tiles.example.gov.cn/{{z}}/{{x}}/{{y}}.png. Browsers do not load http:// "
        "tiles on an https site; spaces, quotes, angle brackets and backslashes are not allowed.",
    ),
    "tiles-placeholder": Message(
        E,
        "瓦片地址里的“{placeholder}”不是可用的占位符。",
        "'{placeholder}' in the tile URL is not an accepted placeholder.",
        "花括号只能用来写 {{z}}（缩放级别）、{{x}}、{{y}}（瓦片的列号和行号）和 {{s}}（子域名）四种占位符，"
        "其他内容请按服务方给的值直接写进地址。",
        "Braces may only hold the placeholders {{z}} (zoom), {{x}}, {{y}} (tile column and row) "
        "and {{s}} (subdomain); write any other value into the address itself.",
    ),
    "tiles-placeholder-missing": Message(
        E,
        "瓦片地址里缺少占位符 {missing}。",
        "The tile URL lacks the placeholder(s) {missing}.",
        "瓦片地址要含有 {{z}}、{{x}}、{{y}}，地图才能随缩放和拖动取到对应的瓦片，"
        "例如 https://tiles.example.gov.cn/{{z}}/{{x}}/{{y}}.png。",
        "A tile URL needs {{z}}, {{x}} and {{y}} so the map fetches the tile for each place "
        "and zoom, e.g. https://tiles.example.gov.cn/{{z}}/{{x}}/{{y}}.png.",
    ),
    "custom-attribution": Message(
        E,
        "地图 provider 为 custom，但没有写底图版权说明 attribution。",
        "The map provider is custom but map.attribution is missing.",
        "在 map 下写 attribution: 底图的版权说明（向底图服务方要，例如“© 某某测绘有限公司”），它会显示在每张地图上。",
        "Add map.attribution with the copyright line the tile service asks for; every map shows it.",
    ),
    "attribution-markup": Message(
        W,
        "底图版权说明 attribution 只能写纯文字，其中的“{found}”会原样显示在地图上。",
        "map.attribution is plain text: '{found}' in it is shown on the map as written.",
        "去掉 HTML 标签和 &copy; 这类写法，直接写文字，例如 attribution: © 某某测绘有限公司"
        "（© 可以直接输入或复制粘贴）。",
        "Remove HTML tags and entities such as &copy; and write the text itself, e.g. "
        "attribution: © Example Mapping Ltd.",
    ),
    "vendor-integrity": Message(
        E,
        "地图组件文件缺失或校验不符：{problem}",
        "A map library file is missing or fails its integrity check: {problem}",
        "重新安装：pip install --force-reinstall site-builder。",
        "Reinstall the package: pip install --force-reinstall site-builder.",
    ),
    "template-error": Message(
        E,
        "模板出错：{problem}",
        "Template error: {problem}",
        "检查网站文件夹 templates/ 中的这个模板；删除它即可恢复内置模板。",
        "Check this template in the site's templates/ folder; deleting it restores the theme's.",
    ),

    # ---- Media that cannot script, and bounds on hostile input (issue #20, items 3 and 8).
    # Arguments {why}, {fix}, {what}, {problem} are bilingual (L) texts made by the checks in
    # load/media.py, load/svgclean.py, load/filenames.py, load/yamllimits.py and
    # render/mdlimits.py.
    "media-type": Message(
        E,
        "不能发布这个文件：{why}。",
        "This file cannot be published: {why}.",
        "{fix}",
        "{fix}",
    ),
    "media-mismatch": Message(
        E,
        "文件内容与扩展名 {ext} 不符：{found}。",
        "The file's content does not match its extension {ext}: {found}.",
        "用原来的软件打开它，重新另存为 {ext} 格式。只改扩展名不会改变文件的实际格式；"
        "网页（HTML）不能放进 content/，请把内容写成 pages/ 里的页面。",
        "Open it in the program that made it and save it again as {ext}. Renaming does not "
        "change a file's format; web pages (HTML) cannot go in content/: write a page in pages/.",
    ),
    "svg-invalid": Message(
        E,
        "SVG 图片无法读取：{problem}。",
        "The SVG image cannot be read: {problem}.",
        "用 Inkscape 打开后“另存为 → 纯 SVG（Plain SVG）”，或在 Illustrator 中“导出为 → SVG”；"
        "也可以直接导出成 PNG 图片。",
        "Open it in Inkscape and save it as Plain SVG, or export it from Illustrator as SVG; "
        "or export it as a PNG image.",
    ),
    "bad-file-name": Message(
        E,
        "文件名“{name}”里有{problem}，在网址和终端里都无法正确显示。",
        "The file name '{name}' contains {problem}: it cannot be shown in a URL or a terminal.",
        "给文件（或文件夹）重新输入名字，不要从网页或聊天软件里复制粘贴；"
        "建议只用小写英文字母、数字和连字符（-）。从旧压缩包里解出的乱码文件名也要这样改。",
        "Type the file's (or folder's) name again instead of pasting it; lower-case letters, "
        "digits and hyphens are safest. Rename garbled names unpacked from old archives too.",
    ),
    "broken-symlink": Message(
        E,
        "这是一个符号链接（快捷方式），{problem}。",
        "This is a symbolic link that {problem}.",
        "删掉这个链接，把真正的文件复制到这里。",
        "Delete the link and copy the real file here.",
    ),
    "yaml-too-complex": Message(
        E,
        "YAML {what}。",
        "YAML: {what}.",
        "{fix}",
        "{fix}",
    ),
    "markdown-too-complex": Message(
        E,
        "{what}，程序无法在合理的时间内排版。",
        "Markdown: {what}; the text cannot be typeset in reasonable time.",
        "{fix}",
        "{fix}",
    ),
    # ---- one build at a time (incremental/session.py) ----
    "build-locked": Message(
        E,
        "另一个生成过程（进程 {pid}）正在生成这个网站，等了 {seconds} 秒仍未结束，本次没有生成。",
        "Another build of this site (process {pid}) was still running after {seconds} s; "
        "this build did not run.",
        "等那个生成结束后再试一次；如果确认没有别的生成在运行，删除 .cache/lock 后重试。",
        "Try again once it has finished; if no other build is running, delete .cache/lock.",
    ),
    # ---- spreadsheet import and export (sheets/) ----
    "sheet-unreadable": Message(
        E,
        "无法读取这个表格文件：{problem}。",
        "The spreadsheet cannot be read: {problem}.",
        "用 Excel 或 WPS 打开后另存为 .xlsx（或 UTF-8 编码的 .csv）再导入；文件可能已损坏或扩展名不对。",
        "Open it in Excel or WPS and save it again as .xlsx (or UTF-8 .csv); it may be damaged or misnamed.",
    ),
    "sheet-no-header": Message(
        E,
        "表格前几行里找不到表头（至少要有两列能认出来）。",
        "No header row found in the first rows (at least two known column titles are needed).",
        "在数据上方加一行表头，写这些列名中的几个：{expected}。可先用 site-builder export 导出一份模板对照。",
        "Add a header row above the data with some of these titles: {expected}. Export a template to compare.",
    ),
    "sheet-unknown-column": Message(
        W,
        "不认识的列“{name}”，这一列没有导入。",
        "Unknown column '{name}': it was not imported.",
        "列名要用内容指南里的名称或其常见写法（见“从表格导入和导出”一节）；只是备注的列可以不管。",
        "Use a column title from the content guide; a column of notes can be left as it is.",
    ),
    "sheet-duplicate-column": Message(
        E,
        "列“{name}”与 {first} 列是同一项内容，写了两次。",
        "The column '{name}' means the same as column {first}.",
        "删掉其中一列，或把两列合并成一列。",
        "Delete one of the two columns or merge them.",
    ),
    "sheet-unknown-alliance": Message(
        E,
        "找不到联盟“{value}”。",
        "No alliance called '{value}'.",
        "是不是“{suggestion}”？写联盟的全称、简称或文件夹名。",
        "Did you mean '{suggestion}'? Write the alliance's full name, short name or folder name.",
    ),
    "sheet-unknown-alliance-nosuggest": Message(
        E,
        "找不到联盟“{value}”。",
        "No alliance called '{value}'.",
        "写联盟的全称、简称或文件夹名（content/alliances/ 下的文件夹）；新联盟请先用 site-builder new alliance 建好。",
        "Write the alliance's full name, short name or folder name; create a new alliance first.",
    ),
    "sheet-unknown-enterprise": Message(
        E,
        "找不到企业“{value}”。",
        "No enterprise called '{value}'.",
        "是不是“{suggestion}”？写企业的全称、简称或文件名。",
        "Did you mean '{suggestion}'? Write the enterprise's full name, short name or file name.",
    ),
    "sheet-unknown-enterprise-nosuggest": Message(
        E,
        "找不到企业“{value}”。",
        "No enterprise called '{value}'.",
        "写企业的全称、简称或文件名；新企业请先导入成员单位表，再导入清单。",
        "Write the enterprise's full name, short name or file name; import enterprises first.",
    ),
    "sheet-bad-coordinate": Message(
        E,
        "坐标“{value}”不是“经度,纬度”两个数字。",
        "The coordinate '{value}' is not two numbers 'lon,lat'.",
        "照高德或百度坐标拾取器给出的样子写，经度在前，如 118.7795,31.9912；或改用经度、纬度两列。",
        "Write it as the map pickers give it, longitude first, e.g. 118.7795,31.9912.",
    ),
    "sheet-bad-coord-system": Message(
        E,
        "不认识的坐标系“{value}”。",
        "Unknown coordinate system '{value}'.",
        "写 WGS-84（GPS、天地图）、GCJ-02（高德、腾讯）或 BD-09（百度），也可直接写 高德、百度、天地图、GPS。",
        "Write WGS-84 (GPS, Tianditu), GCJ-02 (Gaode, Tencent) or BD-09 (Baidu).",
    ),
    "sheet-bd09-converted": Message(
        W,
        "百度（BD-09）坐标已换算为 GCJ-02：纬度 {lat}，经度 {lon}；文件里写 coord_system: gcj02。",
        "Baidu (BD-09) coordinates converted to GCJ-02: lat {lat}, lon {lon} (coord_system: gcj02).",
        "网站只用 WGS-84 或 GCJ-02，换算误差约 1 米，无需处理；可在地图上核对一下位置。",
        "The site uses WGS-84 or GCJ-02 only; the conversion is good to about a metre.",
    ),
    "sheet-missing-name": Message(
        E,
        "第 {row} 行有内容但没有名称（或标题），无法导入。",
        "Row {row} has values but no name (or title).",
        "填上名称；如果这一行是说明或备注，把它删掉或移到表头上方。",
        "Fill in the name; if the row is a note, delete it or move it above the header.",
    ),
    "sheet-duplicate-row": Message(
        E,
        "“{name}”在表格里出现了两次（第一次在 {first}）。",
        "'{name}' appears twice in the sheet (first at {first}).",
        "删掉重复的一行。同一单位加入几个联盟时，每行写不同的联盟。",
        "Delete the repeated row. An enterprise in several alliances has one row per alliance.",
    ),
    "sheet-conflict": Message(
        E,
        "“{name}”的几行写法不一致：这里是“{value}”，{first} 写的是“{before}”。",
        "The rows of '{name}' disagree: '{value}' here, '{before}' at {first}.",
        "同一单位的几行，除所属联盟、角色、环节外应写得一样（或只在第一行写）。",
        "Rows of one enterprise must agree except for alliance, role and segment.",
    ),
    "sheet-file-broken": Message(
        E,
        "这一行对应的文件 {file} 本身有格式错误，没有更新。",
        "The file {file} matched by this row cannot be read, so it was not updated.",
        "先运行 site-builder check 修好这个文件，再导入。",
        "Fix the file first (site-builder check), then import again.",
    ),
    "sheet-write-failed": Message(
        E,
        "写入 {target} 失败：{problem}。没有写入任何文件，content/ 保持原样。",
        "Writing {target} failed: {problem}. Nothing was written; content/ is unchanged.",
        "检查磁盘空间和文件夹权限后重新导入。",
        "Check disk space and permissions, then import again.",
    ),
    "sheet-geocode-failed": Message(
        E,
        "地址“{address}”查不到坐标：{problem}。",
        "No coordinates found for '{address}': {problem}.",
        "检查天地图密钥（SITE_BUILDER_TIANDITU_KEY 或 site.yaml 的 map.tianditu_key）和网络；也可以直接在表格里填经度、纬度。",
        "Check the Tianditu key and the network, or fill in longitude and latitude in the sheet.",
    ),
    "sheet-geocode-coarse": Message(
        W,
        "地址“{address}”只定位到“{level}”一级，不是门牌地址，请核对位置。",
        "'{address}' was located only at the level '{level}', not a street address; please check.",
        "把地址写完整（路名和门牌号），或在表格里直接填经度、纬度后重新导入。",
        "Write the full address, or fill in longitude and latitude, and import again.",
    ),
    # ---- 迎接政府网站检查 (issue #24): the filing block, 错敏词 in check and build ----
    "filing-icp": Message(
        E,
        "“{value}”不是有效的 ICP 备案号。",
        "'{value}' is not an ICP filing number.",
        "照工信部备案系统（https://beian.miit.gov.cn/）中的写法抄录：省份简称 + ICP备 + 8 位数字 + 号，"
        "有多个网站时后面加 -序号，例如 苏ICP备12345678号-1。",
        "Copy it as the MIIT filing system shows it: province + ICP备 + 8 digits + 号, and "
        "-N for a site after the first, e.g. 苏ICP备12345678号-1.",
    ),
    "filing-police": Message(
        E,
        "“{value}”不是有效的公安备案号。",
        "'{value}' is not a police (公安) filing number.",
        "照全国互联网安全管理服务平台发给的写法抄录：省份简称 + 公网安备 + 14 位数字 + 号，"
        "例如 苏公网安备32011402000001号。",
        "Copy it as issued: province + 公网安备 + 14 digits + 号, e.g. 苏公网安备32011402000001号.",
    ),
    "filing-site-code": Message(
        E,
        "“{value}”不是有效的网站标识码。",
        "'{value}' is not a government website code (网站标识码).",
        "网站标识码是 10 位：地方网站为 10 位数字（如 3201140001），国务院部门网站为 bm 加 8 位数字；"
        "请加上引号写成 site_code: \"3201140001\"。",
        "The code has 10 characters: 10 digits for local sites (3201140001), bm and 8 digits "
        "for State Council departments; quote it: site_code: \"3201140001\".",
    ),
    "filing-conac": Message(
        E,
        "“{value}”不是有效的党政机关网站标识代码。",
        "'{value}' is not a CONAC seal code (党政机关网站标识).",
        "填写开办系统给出的标识链接中 id= 后面的 32 位字母数字（0-9、a-f），不要填整段代码或网址。",
        "Write the 32 characters (0-9, a-f) after id= in the seal's link from the registration "
        "system, not the whole code or URL.",
    ),
    "filing-contact": Message(
        E,
        "“{value}”不是有效的联系电话或电子邮箱。",
        "'{value}' is neither a phone number nor an e-mail address.",
        "写一个电话（带区号，如 025-12345678）或一个电子邮箱；多种联系方式请写在“纠错与联系”页面。",
        "Write one phone number with its area code (025-12345678) or one e-mail address; put "
        "more on a contact page.",
    ),
    "filing-missing": Message(
        W,
        "本站是政府网站（.gov.cn），页脚缺少{meaning}（filing.{name}）。",
        "This is a government (.gov.cn) site, and its footer lacks the {meaning} (filing.{name}).",
        "在 site.yaml 的 filing: 下加上 {name}: …（政府网站检查要求页脚有 ICP 备案号、网站标识码、"
        "主办单位和联系方式）。",
        "Add {name}: … under filing: in site.yaml (inspections require the ICP number, site "
        "code, sponsor and contact in the footer).",
    ),
    "glossary-serious": Message(
        W,
        "“{wrong}”是严重表述错误，应为“{right}”。",
        "'{wrong}' is a serious wrong formulation; write '{right}'.",
        "改为“{right}”。{note}（政府网站检查发现严重表述错误即判为不合格；确属引用原文的，"
        "请在 glossary.yaml 中说明。）",
        "Write '{right}' instead. {note} (A serious wrong formulation fails a government "
        "website inspection.)",
    ),
}

# What `site-builder audit` finds, as a government website inspector would (issue #24). Its
# level is the inspection's: 严重 fails an inspection outright, 警告 costs marks, 提醒 is
# worth a look. Kept apart from CATALOGUE: these are findings on a valid site, not errors
# of a build.
AUDIT_LEVELS = ("严重", "警告", "提醒")
AUDIT_CATALOGUE: dict[str, tuple[str, Message]] = {
    "stale-home": ("严重", Message(
        E, "首页已有 {days} 天没有更新：最新的案例是 {date} 的“{title}”。",
        "The home page has not been updated for {days} days: the newest story, '{title}', is of {date}.",
        "检查要求首页两周内有更新（超过两周即判为不合格）：发布一篇新的案例故事。",
        "Inspections fail a home page not updated for two weeks: publish a new story.")),
    "aging-home": ("警告", Message(
        W, "首页已有 {days} 天没有更新，再过 {left} 天就超过两周。",
        "The home page has not been updated for {days} days; in {left} days it will be two weeks.",
        "近期发布一篇新的案例故事。", "Publish a new story soon.")),
    "no-stories": ("严重", Message(
        E, "网站没有任何案例故事：首页没有带日期的更新。",
        "The site has no story: the home page shows nothing dated.",
        "检查把没有发布日期的页面算作未更新：至少发布一篇案例故事。",
        "Inspections count a page without a date as not updated: publish a story.")),
    "stale-section": ("警告", Message(
        W, "栏目“{column}”已有 {days} 天没有更新（最近一次：{date}）。",
        "The column '{column}' has not been updated for {days} days (last: {date}).",
        "检查把超过 6 个月不更新的栏目算作问题：更新其中的内容，或在 updated: 写上核对日期。",
        "Columns not updated for six months count against the site: update them.")),
    "stale-listing": ("警告", Message(
        W, "清单“{title}”仍是“征集中”，但已 {days} 天没有更新。",
        "The listing '{title}' is still open but has not been updated for {days} days.",
        "核实进展：已对接的改为 status: 对接中 或 已解决；仍在征集的写上 updated: 今天的日期。",
        "Check it: set status to 对接中 or 已解决, or write today's date in updated:.")),
    "no-date": ("警告", Message(
        W, "{count} 个{kind}页面没有显示更新日期（如 {example}）。",
        "{count} {kind} pages show no date (e.g. {example}).",
        "检查把没有日期的页面算作未更新：网站放在 git 仓库里会自动显示最后提交日期，否则写 updated: 日期。",
        "Keep the site in git (the last commit's date is shown) or write updated: DATE.")),
    "empty-column": ("警告", Message(
        W, "栏目“{column}”（{path}）是空白栏目：里面没有内容。",
        "The column '{column}' ({path}) is empty.",
        "补充内容，或从导航中去掉这个栏目（检查发现 5 个以上空白栏目即判为不合格）。",
        "Add content or remove it from the navigation (five empty columns fail an inspection).")),
    "empty-columns": ("严重", Message(
        E, "空白栏目有 {count} 个，达到 5 个即判为不合格。",
        "There are {count} empty columns; five fail an inspection.",
        "逐个补充内容或撤下这些栏目。", "Fill or remove these columns.")),
    "wrong-term": ("严重", Message(
        E, "“{wrong}”应为“{right}”。{note}",
        "'{wrong}' should be '{right}'. {note}",
        "改为“{right}”。", "Write '{right}'.")),
    "term-note": ("提醒", Message(
        W, "“{wrong}”建议写作“{right}”。{note}",
        "'{wrong}' is better written '{right}'. {note}",
        "改为“{right}”；确有理由保留的可不改。", "Write '{right}' unless there is a reason not to.")),
    "id-number": ("严重", Message(
        E, "这里有一个居民身份证号码（{masked}）。",
        "A resident identity card number ({masked}) is here.",
        "删除身份证号码：公开个人身份信息属于信息泄露。", "Remove it: publishing it leaks personal data.")),
    "mobile-number": ("警告", Message(
        W, "正文里有一个手机号码（{masked}）。",
        "A mobile number ({masked}) is in the text.",
        "公开个人手机号须经本人同意；对外联系请用 phone 或 contact 字段中的办公电话。",
        "Publish a personal mobile only with consent; use the phone or contact field for office numbers.")),
    "backdated": ("警告", Message(
        W, "案例日期 {date} 比这个文件第一次提交（{first}）早 {days} 天，检查人员会怀疑是倒填日期。",
        "The story is dated {date}, {days} days before its file was first committed ({first}): it looks back-dated.",
        "date 写本站发布的日期；原报道的日期写在 source.date。",
        "Date it when this site published it; the original report's date goes in source.date.")),
    "outside-origin": ("提醒", Message(
        W, "页面从站外地址 {origin} 加载内容（{count} 个页面，如 {example}）。",
        "Pages load content from {origin} ({count} pages, e.g. {example}).",
        "确认这个来源可靠且在境内可以访问；能放在本站的文件请放在本站。",
        "Make sure this origin is reliable and reachable in China; host what you can yourself.")),
    "outside-link": ("提醒", Message(
        W, "页面链接到站外地址 {origin}（{count} 个页面，如 {example}）。",
        "Pages link to {origin} ({count} pages, e.g. {example}).",
        "定期检查外部链接是否有效，避免出现错链、断链。", "Check outside links regularly.")),
    "insecure-resource": ("警告", Message(
        W, "HTTPS 网站的页面用 http:// 加载 {url}（{count} 个页面，如 {example}）。",
        "An HTTPS site's pages load {url} over http:// ({count} pages, e.g. {example}).",
        "改为 https:// 地址，否则浏览器会拦截或提示不安全。", "Use its https:// address.")),
    "no-filing": ("警告", Message(
        W, "页脚缺少{meaning}（site.yaml 的 filing.{name}）。",
        "The footer lacks the {meaning} (filing.{name} in site.yaml).",
        "政府网站页脚须有 ICP 备案号、网站标识码、主办单位和联系方式：在 site.yaml 的 filing: 下补上。",
        "Add it under filing: in site.yaml.")),
    "no-consultation": ("严重", Message(
        E, "网站没有互动咨询渠道：页脚没有联系方式，也没有纠错或联系页面。",
        "The site offers no consultation channel: no contact in the footer, no error-report or contact page.",
        "在 site.yaml 的 filing.contact 写上电话或邮箱，或新建 pages/contact.md（标题含“联系”或“纠错”）。",
        "Write filing.contact in site.yaml, or add a contact page.")),
    "no-review-number": ("警告", Message(
        W, "网站的地图没有标注审图号（底图：{provider}）。",
        "The site's maps show no review number (base map: {provider}).",
        "在 site.yaml 的 map.review_number 写上底图服务商公布的审图号；OpenStreetMap 没有审图号，请改用天地图。",
        "Write the provider's review number in map.review_number; OpenStreetMap has none: use Tianditu.")),
}


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located in a content file and explained."""

    code: str
    file: str | None = None  # relative to content/, with forward slashes
    line: int | None = None  # 1-based, counted from the file's first line
    col: int | None = None  # 1-based
    key: str = ""  # key path, e.g. memberships[1].role
    args: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # None: the catalogue's severity

    @property
    def level(self) -> Severity:
        return self.severity or CATALOGUE[self.code].severity

    def message(self, lang: str = "zh-CN") -> str:
        entry = CATALOGUE[self.code]
        return visible(_fill(entry.en if lang == "en" else entry.zh, self.args, lang))

    def hint(self, lang: str = "zh-CN") -> str:
        entry = CATALOGUE[self.code]
        return visible(_fill(entry.hint_en if lang == "en" else entry.hint_zh, self.args, lang))

    def location(self) -> str:
        where = visible(self.file) if self.file else "(命令行 command line)"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def format(self, lang: str = "zh-CN") -> str:
        """Render as the lines a terminal shows."""
        label = {
            ("zh", Severity.ERROR): "错误",
            ("zh", Severity.WARNING): "警告",
            ("en", Severity.ERROR): "error",
            ("en", Severity.WARNING): "warning",
        }[("en" if lang == "en" else "zh", self.level)]
        head = f"{self.location()}  {label}"
        if self.key:
            head += f"  {visible(self.key)}"
        lines = [head, f"  {self.message(lang)}"]
        hint = self.hint(lang)
        if hint:
            lines.append(("  hint: " if lang == "en" else "  提示：") + hint)
        return "\n".join(lines)

    def identity(self) -> tuple[Any, ...]:
        args = tuple(sorted((k, repr(v)) for k, v in self.args.items()))
        return (self.code, self.file, self.line, self.col, self.key, args)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file or "", self.line or 0, self.col or 0, self.key, self.code)

    def as_dict(self, lang: str = "zh-CN") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.level),
            "file": visible(self.file) if self.file else self.file,
            "line": self.line,
            "col": self.col,
            "key": visible(self.key),
            "message": self.message(lang),
            "hint": self.hint(lang),
        }


# What a terminal would obey or hide instead of showing: control characters (ESC starts
# colour and cursor sequences, a newline forges a line), lone surrogates (the bytes of a
# file name that is not UTF-8: printing one raises), format characters (bidi overrides
# reorder the text shown) and line separators.
_HIDDEN = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})


def visible(text: str) -> str:
    """`text` with each such character written as an escape (\\x1b, \\n, \\udcff)."""
    if text.isprintable():  # nearly always: nothing to look at character by character
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _fill(template: str, args: Mapping[str, Any], lang: str) -> str:
    values = {name: _localise(value, lang) for name, value in args.items()}
    return template.format_map(_Defaulting(values))


def _localise(value: Any, lang: str) -> str:
    if isinstance(value, L):
        return value.get(lang)
    if isinstance(value, list | tuple):
        sep = ", " if lang == "en" else "、"
        return sep.join(_localise(v, lang) for v in value)
    return str(value)


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


class Report:
    """Collect diagnostics across a whole build; decide at the end."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self.strict = False

    def __len__(self) -> int:
        return len(self._items)

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def emit(self, code: str, file: str | None = None, line: int | None = None,
             col: int | None = None, key: str = "", **args: Any) -> None:
        self.add(Diagnostic(code, file, line, col, key, args))

    @property
    def items(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic, sorted by file and position, warnings promoted under strict."""
        unique = {d.identity(): d for d in self._items}  # a template error hits every page
        found = sorted(unique.values(), key=Diagnostic.sort_key)
        if self.strict:
            found = [
                Diagnostic(d.code, d.file, d.line, d.col, d.key, d.args, Severity.ERROR)
                if d.level is Severity.WARNING else d
                for d in found
            ]
        return tuple(found)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.level is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.level is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def format(self, lang: str = "zh-CN") -> str:
        return "\n\n".join(d.format(lang) for d in self.items)


def closest(word: str, candidates: Sequence[str], cutoff: float = 0.55) -> str | None:
    """Return the candidate nearest to `word`, or None when nothing is close."""
    if not candidates:
        return None
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    if found:
        return lowered[found[0]]
    # A typed prefix or a name contained in another ('shagang' in 'jiangsu-shagang').
    for cand in sorted(candidates, key=len):
        if len(word) >= 3 and (word.lower() in cand.lower() or cand.lower() in word.lower()):
            return cand
    return None
