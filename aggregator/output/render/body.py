"""An article's Markdown body as sanitised HTML, for feeds that carry full content.

CommonMark through markdown-it-py, then the service's one sanitiser (`sanitize_html`),
which also resolves relative links and image sources against the article's own URL:
a feed reader shows the entry away from the article's page, so every URL must be
absolute. Raw HTML inside the Markdown is allowed through the parser and left to the
sanitiser, which keeps only the allow-listed tags and http(s) URLs.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from aggregator.ingest.text import sanitize_html

# Configured once and never changed: markdown-it keeps no state between renders.
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("strikethrough")


def body_html(markdown: str, article_url: str) -> str:
    """The body rendered and sanitised, with URLs absolute against `article_url`."""
    if not markdown.strip():
        return ""
    return sanitize_html(_MARKDOWN.render(markdown), base_url=article_url).strip()
