"""What a build keeps with its state to know when the last one no longer holds: the
config's share of the output, and what decides how a file parses (`CODEC_VERSION`, the
one home of the stored article's layout, and whether bodies are kept)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import asdict
from typing import Any

from aggregator.config import Config
from aggregator.ingest import codec
from aggregator.output.files import RENDER_VERSION


def config_fingerprint(config: Config) -> str:
    """What, besides content, decides the output: a change forces a full re-render."""
    relevant = (
        config.site_title,
        config.site_description,
        config.base_url,
        config.language,
        config.max_items,
        [asdict(s) for s in config.extra_feeds],
        asdict(config.stories),
        config.max_file_bytes,
        str(config.content_dir.resolve()),
        str(config.output_dir.resolve()),
        [config.content_mode, config.hubs, config.interval_seconds],
        [_asset_stamp(config.site_icon), _asset_stamp(config.site_logo)],
        config.output_url,
        RENDER_VERSION,
    )
    return hashlib.blake2b(
        json.dumps(relevant, sort_keys=True, default=str).encode(), digest_size=16
    ).hexdigest()


def _asset_stamp(value: str) -> list[Any]:
    """An icon or logo as the fingerprint sees it: a URL, or a file with its size and mtime,
    so a replaced picture is published by the next build."""
    with contextlib.suppress(OSError):
        if value and not value.startswith(("http://", "https://")):
            info = os.stat(value)
            return [value, info.st_size, info.st_mtime_ns]
    return [value]


def parse_fingerprint(config: Config) -> str:
    """What decides how a file parses: a change means every file is parsed again."""
    relevant = (
        sorted(config.stories.url_aliases.items()),
        config.max_file_bytes,
        codec.CODEC_VERSION,
        keeps_bodies(config),  # switching full content on or off re-reads every file
    )
    return hashlib.blake2b(json.dumps(relevant).encode(), digest_size=16).hexdigest()


def keeps_bodies(config: Config) -> bool:
    """Whether articles keep their Markdown body: only when some feed shows full content."""
    return config.content_mode == "full" or any(spec.content == "full" for spec in config.extra_feeds)
