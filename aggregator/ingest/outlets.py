"""Who published an article: the outlet's name and domain, and the memo a parse batch
keeps of them (outlets and topic spellings recur in nearly every file)."""

from __future__ import annotations

import datetime as dt
import re

from aggregator.ingest.blockyaml import BlockMemo
from aggregator.ingest.text import plain_text
from aggregator.ingest.urls import host_of
from aggregator.model import Provider
from aggregator.names import bare_host, topic_slug

MAX_NAME = 120


class ParseMemo:
    """What a parse job remembers between files: outlets and topic spellings recur in
    nearly every file, and cleaning or slugging one is a walk over its text; so do YAML
    lines and scalars (`block`). Owned by the job that creates it (one per batch of
    files) and bounded."""

    LIMIT = 4096

    def __init__(self) -> None:
        self._providers: dict[tuple[str, str, str], Provider] = {}
        self._slugs: dict[str, str] = {}
        self.block = BlockMemo()

    def provider(self, name: str, raw_domain: str, url_domain: str) -> Provider:
        key = (name, raw_domain, url_domain)
        found = self._providers.get(key)
        if found is None:
            found = _named_provider(name, raw_domain, url_domain)
            if len(self._providers) < self.LIMIT:
                self._providers[key] = found
        return found

    def topic_slug(self, name: str) -> str:
        found = self._slugs.get(name)
        if found is None:
            found = topic_slug(name)
            if len(self._slugs) < self.LIMIT:
                self._slugs[name] = found
        return found


def provider_of(value: object, url: str, names: ParseMemo) -> Provider:
    domain = host_of(url)
    if isinstance(value, dict):
        name, raw_domain = value.get("name"), value.get("domain")
        if isinstance(name, str) and isinstance(raw_domain, str):
            return names.provider(name, raw_domain, domain)  # the usual form, remembered
        name = plain_text(name, MAX_NAME) if _scalar(name) else ""
        return Provider(name=name or domain, domain=_provider_domain(raw_domain, domain))
    if isinstance(value, str) and value.strip():
        return Provider(name=plain_text(value, MAX_NAME) or domain, domain=domain)
    return Provider(name=domain, domain=domain)


def _named_provider(name: str, raw_domain: str, url_domain: str) -> Provider:
    text = plain_text(name, MAX_NAME)
    domain = _provider_domain(raw_domain, url_domain)
    return Provider(name=text or domain, domain=domain)


_DOMAIN = re.compile(r"[a-z0-9.\-]+")


def _provider_domain(raw_domain: object, url_domain: str) -> str:
    """The outlet's own domain if it gives a plausible one, else the link's host."""
    if isinstance(raw_domain, str):
        cleaned = plain_text(raw_domain, MAX_NAME).lower()
        if _DOMAIN.fullmatch(cleaned):
            return bare_host(cleaned)
    return url_domain


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, dt.date))
