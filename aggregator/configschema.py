"""Every config key once: its type, default, check and meaning.

The table drives reading and validating the config (`aggregator.config`), the embedded
defaults, the commented `config/aggregator.yaml` and the README's reference table
(`python -m aggregator.config --write-default` and `--write-readme` write both; a test
checks that the committed files equal what the table gives).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Check = Callable[[Any], str | None]  # the reason a value is wrong, or None

CONTENT_MODES = ("summary", "full")
# Image files that may be published as the site's icon or logo, with their media type.
ASSET_TYPES = {
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}


class ConfigError(ValueError):
    """A config value is invalid; `key` is its dotted path."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"config error: {key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class Key:
    """One config key: `section.name`, read as `kind` into the attribute `attr` (of
    `Config`, or of `StoryOptions` for the `stories` section)."""

    path: str
    attr: str
    kind: type
    default: Any
    doc: str  # one line, for the YAML comment and the README
    check: Check | None = None  # value and range, after reading and after CLI overrides
    example: tuple[str, ...] = ()  # commented lines after the key in the YAML file
    item_check: Check | None = None  # each item of a list, reported as `path[index]`

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.path.split(".", 1)[1]


def at_least(low: int) -> Check:
    return lambda value: None if value >= low else f"must be at least {low}"


def not_negative(value: float) -> str | None:
    return None if value >= 0 else "must not be negative"


def _base_url(value: str) -> str | None:
    url = urlsplit(value)
    if url.scheme not in ("http", "https") or not url.netloc:
        return f"must be an absolute http(s) URL, got {value!r}"
    if url.query or url.fragment:
        return "must not have a query or fragment"
    return None


def _http_url(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"must be an absolute http(s) URL, got {value!r}"
    return None


def content_mode(value: object) -> str | None:
    """`feeds.content` and a feed's own `content:`."""
    if isinstance(value, str) and value in CONTENT_MODES:
        return None
    return f"must be one of {', '.join(CONTENT_MODES)}, got {value!r}"


def site_asset(key: str, value: str, beside: Path) -> str:
    """An absolute http(s) URL as it is, or the absolute path of an image file beside the config."""
    value = value.strip()
    if not value:
        return ""
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https"):
        reason = _http_url(value)
        if reason:
            raise ConfigError(key, reason)
        return value
    if scheme and len(scheme) > 1:  # `C:` is a drive, anything longer a scheme
        raise ConfigError(key, f"must be an absolute http(s) URL or an image file, got {value!r}")
    path = (beside / value).resolve()
    if path.suffix.lower() not in ASSET_TYPES:
        raise ConfigError(key, f"must be an image file ({', '.join(sorted(ASSET_TYPES))}), got {path.name!r}")
    if not path.is_file():
        raise ConfigError(key, f"file not found: {path}")
    return str(path)


def _language(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        return None
    return f"must be a language tag such as 'en' or 'en-GB', got {value!r}"


def _port(value: int) -> str | None:
    return None if 0 <= value <= 65535 else "must be between 0 and 65535"


def _threshold(value: float) -> str | None:
    return None if 0 < value <= 1 else "must be in (0, 1]"


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be positive"


FEED_EXAMPLE = (
    "- slug: vision-best                               #   lower-case letters, digits, hyphens",
    '  title: "Computer vision: the best coverage"',
    '  description: "High-quality computer vision stories."',
    '  topics: ["Computer Vision"]                     #   any of these topics (names or slugs)',
    "  category: news                                  #   any of these categories",
    '  provider: ["scitechdaily.com", "Phys.org"]      #   any of these outlets (name or domain)',
    "  min_quality: 50                                 #   the story's primary has at least this quality",
    "  max_items: 20                                   #   overrides feeds.max_items",
    "  content: full                                   #   overrides feeds.content",
)

KEYS: tuple[Key, ...] = (
    Key("site.title", "site_title", str, "Topic feeds", "site name; feed titles are `<title>: <topic>`",
        lambda v: None if v.strip() else "must not be empty"),
    Key("site.description", "site_description", str, "News by topic, one entry per story.", "site description"),
    Key("site.base_url", "base_url", str, "http://127.0.0.1:8080/",
        "public URL of the site (absolute http/https); feeds live under `<base_url>feeds/`", _base_url),
    Key("site.language", "language", str, "en", "language tag (BCP 47) for every feed", _language),
    Key("site.icon", "site_icon", str, "", "a small square icon: an absolute http(s) URL, or an image file beside the config, published as `icon.<ext>`"),
    Key("site.logo", "site_logo", str, "", "a wider logo (Atom logo, RSS image), as `site.icon`; published as `logo.<ext>`"),
    Key("content.dir", "content_dir", Path, Path("seeds"), "the content folder, scanned recursively"),
    Key("content.patterns", "patterns", list, ("*.md", "*.markdown", "*.txt"), "file names that are articles",
        lambda v: None if v else "must list at least one pattern"),
    Key("content.max_file_bytes", "max_file_bytes", int, 1024 * 1024,
        "larger files are skipped with a reason (at least 1024)", at_least(1024)),
    Key("output.dir", "output_dir", Path, Path("feeds"), "the generated static site; owned by the service"),
    Key("output.url", "output_url", str, None,
        "`s3://BUCKET/PREFIX`: publish the site to object storage instead of `output.dir`",
        example=('"s3://my-bucket/site"',)),
    Key("output.endpoint_url", "output_endpoint_url", str, None,
        "an S3-compatible store's API URL (MinIO, Ceph, R2); AWS when unset",
        example=('"http://127.0.0.1:9000"',)),
    Key("state.path", "state_setting", Path, None,
        "the SQLite state store, safe to delete; unset: one per site, `.state/<output>-<hash>/aggregator.sqlite3`",
        example=('"/var/lib/aggregator/site.sqlite3"',)),
    Key("state.url", "state_url", str, None,
        "`postgresql://USER@HOST:PORT/DB`: the state in PostgreSQL (several hosts); `$AGGREGATOR_STATE_URL` wins",
        example=('"postgresql://aggregator@db.internal:5432/aggregator"',)),
    Key("feeds.max_items", "max_items", int, 50, "entries per feed, newest first", at_least(1)),
    Key("feeds.content", "content_mode", str, "summary",
        "`summary`, or `full`: the article's rendered body in the entries", content_mode),
    Key("feeds.extra", "extra_feeds", list, (), "feeds of your own, besides one per topic and `all` (below)",
        example=FEED_EXAMPLE),
    Key("schedule.interval_seconds", "interval_seconds", int, 300,
        "how often the daemon rescans the content folder", at_least(1)),
    Key("schedule.lock_timeout_seconds", "lock_timeout_seconds", float, 600.0,
        "how long a build waits for one already running", not_negative),
    Key("schedule.watch", "watch", bool, True, "rebuild about a second after the content folder changes"),
    Key("websub.hubs", "hubs", list, (), "WebSub hubs to advertise and ping, e.g. `[\"https://hub.example.org/\"]`",
        item_check=_http_url),
    Key("server.host", "host", str, "127.0.0.1", "where `aggregator serve` listens"),
    Key("server.port", "port", int, 8080, "the port `aggregator serve` listens on", _port),
    Key("server.cache_max_age", "cache_max_age", int, 300, "`Cache-Control: public, max-age=` for feeds",
        not_negative),
    Key("server.metrics", "metrics", bool, True, "Prometheus metrics at `/metrics` (false: 404)"),
    Key("stories.headline_matching", "headline_matching", bool, True, "merge near-identical headlines too"),
    Key("stories.headline_threshold", "headline_threshold", float, 0.6,
        "Jaccard similarity of significant words needed, in (0, 1]", _threshold),
    Key("stories.headline_min_shared", "headline_min_shared", int, 3,
        "significant words a joining headline must share", at_least(1)),
    Key("stories.headline_window_hours", "headline_window_hours", float, 48.0,
        "only headlines published this close together", _positive),
    Key("stories.max_cluster_size", "max_cluster_size", int, 50,
        "headline matching never grows a story past this", at_least(2)),
    Key("stories.url_aliases", "url_aliases", dict, {}, "hosts that are one outlet, e.g. `{edition.cnn.com: cnn.com}`",
        example=("  edition.cnn.com: cnn.com",)),
)  # fmt: skip

BY_PATH = {key.path: key for key in KEYS}
SECTIONS: dict[str, set[str]] = {}
for _key in KEYS:
    SECTIONS.setdefault(_key.section, set()).add(_key.name)


def default(path: str) -> Any:
    """The embedded default of a key (a fresh copy for mutable ones)."""
    value = BY_PATH[path].default
    return dict(value) if isinstance(value, dict) else value


# --- the generated files --------------------------------------------------------------

YAML_HEADER = """\
# aggregator configuration. Every key is optional: a missing key takes the value
# shown here, which is also the embedded default used when no config file exists.
# Relative paths are resolved against the current working folder.
# The file is found as: --config FILE, else $AGGREGATOR_CONFIG, else ./config/aggregator.yaml.
#
# Generated from aggregator/configschema.py by `python -m aggregator.config --write-default`.
"""
COMMENT_COLUMN = 52
README_BEGIN = "<!-- config-reference: begin (generated by `python -m aggregator.config --write-readme`) -->"
README_END = "<!-- config-reference: end -->"


def _yaml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (str, Path)):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_yaml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no YAML form for {value!r}")


def default_yaml() -> str:
    """The commented `config/aggregator.yaml`: every key with its default and meaning."""
    lines = [YAML_HEADER]
    section = None
    for key in KEYS:
        if key.section != section:
            if section is not None:
                lines.append("")
            section = key.section
            unset = all(BY_PATH[f"{section}.{name}"].default is None for name in SECTIONS[section])
            lines.append(f"{section}: {{}}" if unset else f"{section}:")
        doc = key.doc.replace("`", "")
        if key.default is None:  # unset by default: shown commented, with an example value
            text = f"  # {key.name}: {key.example[0]}"
            lines.append(f"{text.ljust(COMMENT_COLUMN - 1)} # {doc}")
            continue
        text = f"  {key.name}: {_yaml_value(key.default)}"
        lines.append(f"{text.ljust(COMMENT_COLUMN - 1)} # {doc}")
        lines += [f"  # {line}" for line in key.example]
    return "\n".join(lines) + "\n"


def _readme_value(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return str(value)
    return _yaml_value(value)


def readme_table() -> str:
    """The README's reference: one row per key."""
    rows = ["| key | default | meaning |", "|---|---|---|"]
    rows += [f"| `{key.path}` | `{_readme_value(key.default)}` | {key.doc} |" for key in KEYS]
    return "\n".join(rows)


def with_readme_table(readme: str) -> str:
    """`readme` with the text between the reference markers replaced by `readme_table()`."""
    start, end = readme.find(README_BEGIN), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError("README has no config reference markers")
    return readme[: start + len(README_BEGIN)] + "\n" + readme_table() + "\n" + readme[end:]
