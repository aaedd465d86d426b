"""What a page says when it is shared or crawled: its picture and its JSON-LD."""

from __future__ import annotations

from typing import Any

from site_builder.link.model import Item
from site_builder.render.tasks import PageTask


class PageSharing:
    """A page's picture and JSON-LD."""

    # ---- sharing ----------------------------------------------------------------------

    def _og_image(self, item: Item | None) -> str:
        """Absolute URL of the picture shown when a page is shared, if it has one."""
        path = item and (item.get("cover") or item.get("photo") or item.get("logo"))
        if not path:
            return ""
        info = self.images.infos.get(path)
        if info is not None:  # a JPEG/PNG near 1200 px: what chat apps display well
            best = min((v for v in info.variants if v.mime != "image/webp"),
                       key=lambda v: abs(v.width - 1200))
            path = best.path
        return self.config.absolute(path)

    def _json_ld(self, task: PageTask) -> dict[str, Any]:
        """schema.org data: Organization for alliances and members, NewsArticle for stories."""
        item = task.item
        assert item is not None
        url = self.config.absolute(item.url)
        if item.record_kind == "story":
            data: dict[str, Any] = {
                "@context": "https://schema.org", "@type": "NewsArticle",
                "headline": item.title, "description": item.get("summary", ""),
                "datePublished": str(item["date"]), "mainEntityOfPage": url, "url": url,
                "inLanguage": self.config.language,
                "publisher": {"@type": "Organization",
                              "name": self.config.publisher or self.config.title},
            }
            if item.get("author"):
                data["author"] = {"@type": "Person", "name": item["author"]}
        elif item.record_kind in ("alliance", "enterprise"):
            data = {"@context": "https://schema.org", "@type": "Organization",
                    "name": item.title, "url": url,
                    "description": item.get("summary", "")}
            if item.get("short_name"):
                data["alternateName"] = item["short_name"]
            if item.get("website"):
                data["sameAs"] = item["website"]
            region = item.get("region")
            address = (item.get("location") or {}).get("address")
            if region:
                data["address"] = {"@type": "PostalAddress", "addressCountry": "CN",
                                   "addressRegion": region.get("province", ""),
                                   "addressLocality": region.get("city", "")}
            elif address:
                data["address"] = {"@type": "PostalAddress", "addressCountry": "CN",
                                   "streetAddress": address}
        elif item.record_kind == "station":
            data = {"@context": "https://schema.org", "@type": "Place", "name": item.title,
                    "url": url, "address": item["address"],
                    "geo": {"@type": "GeoCoordinates",
                            "latitude": self.points[item.key].wgs[0],
                            "longitude": self.points[item.key].wgs[1]}}
        else:
            data = {"@context": "https://schema.org", "@type": "WebPage", "name": item.title,
                    "url": url}
        image = self._og_image(item)
        if image:
            data["image"] = image
        return data
