"""Loading and validating the service configuration.

Every key has an embedded default, so the service runs with no config file at all.
A bad value fails fast with a `ConfigError` naming the key and the reason, before
anything is read or written.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

CONFIG_ENV = "AGGREGATOR_CONFIG"
DEFAULT_CONFIG_PATH = Path("config/aggregator.yaml")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Slugs the service itself uses for other files or routes.
RESERVED_SLUGS = frozenset({"index", "feeds", "healthz"})


class ConfigError(ValueError):
    """A config value is invalid; `key` is its dotted path."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"config error: {key}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class FeedSpec:
    """A feed defined in the config: stories matching every given filter."""

    slug: str
    title: str
    description: str = ""
    topics: tuple[str, ...] = ()  # topic slugs; a story matches if it has any of them
    categories: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()  # provider names or domains, case-insensitive
    min_quality: int | None = None
    max_items: int | None = None


@dataclass(frozen=True)
class StoryOptions:
    """How related articles merge into stories."""

    headline_matching: bool = True
    headline_threshold: float = 0.6  # Jaccard similarity of significant headline words
    headline_min_shared: int = 3  # significant words a joining member must share
    headline_window_hours: float = 48.0
    max_cluster_size: int = 50
    url_aliases: dict[str, str] = field(default_factory=dict)  # host -> canonical host


@dataclass(frozen=True)
class Config:
    site_title: str = "Topic feeds"
    site_description: str = "News by topic, one entry per story."
    base_url: str = "http://127.0.0.1:8080/"
    language: str = "en"
    content_dir: Path = Path("seeds")
    patterns: tuple[str, ...] = ("*.md", "*.markdown", "*.txt")
    max_file_bytes: int = 1024 * 1024
    output_dir: Path = Path("feeds")
    state_path: Path = Path(".state/aggregator.sqlite3")
    max_items: int = 50
    extra_feeds: tuple[FeedSpec, ...] = ()
    interval_seconds: int = 300
    lock_timeout_seconds: float = 600.0
    host: str = "127.0.0.1"
    port: int = 8080
    cache_max_age: int = 300
    stories: StoryOptions = field(default_factory=StoryOptions)
    source: str = "embedded defaults"  # where this config came from, for messages

    @property
    def lock_path(self) -> Path:
        return self.state_path.with_name(self.state_path.name + ".lock")

    @property
    def status_path(self) -> Path:
        """The last build's report, read by /healthz in any web worker."""
        return self.state_path.with_name(self.state_path.name + ".status.json")

    def with_overrides(self, **changes: Any) -> Config:
        """Apply CLI overrides (None means 'not given') and re-validate."""
        given = {k: v for k, v in changes.items() if v is not None}
        return _validated(replace(self, **given))


# --- loading -------------------------------------------------------------------------


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path | None:
    """--config wins, then $AGGREGATOR_CONFIG, then ./config/aggregator.yaml if present."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    if DEFAULT_CONFIG_PATH.is_file():
        return DEFAULT_CONFIG_PATH
    return None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load the config from `path` (or the usual places), validated."""
    resolved = resolve_config_path(path)
    if resolved is None:
        return _validated(Config())
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("config", f"file not found: {resolved}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config", f"cannot read {resolved}: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError("config", f"{resolved} is not valid YAML: {_yaml_reason(exc)}") from None
    if data is None:
        data = {}
    return config_from_mapping(data, source=str(resolved))


def _yaml_reason(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return str(problem)


_SECTIONS: dict[str, set[str]] = {
    "site": {"title", "description", "base_url", "language"},
    "content": {"dir", "patterns", "max_file_bytes"},
    "output": {"dir"},
    "state": {"path"},
    "feeds": {"max_items", "extra"},
    "schedule": {"interval_seconds", "lock_timeout_seconds"},
    "server": {"host", "port", "cache_max_age"},
    "stories": {
        "headline_matching",
        "headline_threshold",
        "headline_min_shared",
        "headline_window_hours",
        "max_cluster_size",
        "url_aliases",
    },
}
_FEED_KEYS = {
    "slug",
    "title",
    "description",
    "topics",
    "categories",
    "category",
    "providers",
    "provider",
    "min_quality",
    "max_items",
}


def config_from_mapping(data: Any, source: str = "mapping") -> Config:
    """Build a validated Config from the YAML structure; unknown keys are errors."""
    if not isinstance(data, dict):
        raise ConfigError("config", "the top level must be a mapping of sections")
    for key in data:
        if key not in _SECTIONS:
            raise ConfigError(str(key), f"unknown section (known: {', '.join(sorted(_SECTIONS))})")
    sections: dict[str, dict[str, Any]] = {}
    for name, allowed in _SECTIONS.items():
        section = data.get(name) or {}
        if not isinstance(section, dict):
            raise ConfigError(name, "must be a mapping")
        for key in section:
            if key not in allowed:
                raise ConfigError(f"{name}.{key}", f"unknown key (known: {', '.join(sorted(allowed))})")
        sections[name] = section

    base = Config()
    kwargs: dict[str, Any] = {"source": source}

    def take(section: str, key: str, attr: str, kind: type, convert: Any = None) -> None:
        if key not in sections[section]:
            return
        value = sections[section][key]
        dotted = f"{section}.{key}"
        value = _expect(dotted, value, kind)
        kwargs[attr] = convert(value) if convert else value

    take("site", "title", "site_title", str)
    take("site", "description", "site_description", str)
    take("site", "base_url", "base_url", str)
    take("site", "language", "language", str)
    take("content", "dir", "content_dir", str, Path)
    take("content", "patterns", "patterns", list, lambda v: tuple(_strings("content.patterns", v)))
    take("content", "max_file_bytes", "max_file_bytes", int)
    take("output", "dir", "output_dir", str, Path)
    take("state", "path", "state_path", str, Path)
    take("feeds", "max_items", "max_items", int)
    take("schedule", "interval_seconds", "interval_seconds", int)
    take("schedule", "lock_timeout_seconds", "lock_timeout_seconds", float)
    take("server", "host", "host", str)
    take("server", "port", "port", int)
    take("server", "cache_max_age", "cache_max_age", int)

    if "extra" in sections["feeds"]:
        extra = _expect("feeds.extra", sections["feeds"]["extra"], list)
        kwargs["extra_feeds"] = tuple(_feed_spec(i, item) for i, item in enumerate(extra))

    story_kwargs: dict[str, Any] = {}
    story_section = sections["stories"]
    kinds: dict[str, type] = {
        "headline_matching": bool,
        "headline_threshold": float,
        "headline_min_shared": int,
        "headline_window_hours": float,
        "max_cluster_size": int,
        "url_aliases": dict,
    }
    for key, kind in kinds.items():
        if key in story_section:
            story_kwargs[key] = _expect(f"stories.{key}", story_section[key], kind)
    if "url_aliases" in story_kwargs:
        aliases = {}
        for host, target in story_kwargs["url_aliases"].items():
            if not isinstance(host, str) or not isinstance(target, str) or not host or not target:
                raise ConfigError("stories.url_aliases", "must map host names to host names")
            aliases[_bare_host(host)] = _bare_host(target)
        story_kwargs["url_aliases"] = aliases
    kwargs["stories"] = replace(base.stories, **story_kwargs)

    return _validated(replace(base, **kwargs))


def _bare_host(host: str) -> str:
    from aggregator.names import bare_host

    return bare_host(host.strip().lower().rstrip("."))


def _expect(key: str, value: Any, kind: type) -> Any:
    # bool is an int in Python, and YAML's `yes` is a bool: keep the two apart.
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind in (int, float) and isinstance(value, bool):
        raise ConfigError(key, f"must be a number, got {value!r}")
    if not isinstance(value, kind):
        names = {
            str: "a string",
            int: "a whole number",
            float: "a number",
            bool: "true or false",
            list: "a list",
            dict: "a mapping",
        }
        raise ConfigError(key, f"must be {names.get(kind, kind.__name__)}, got {value!r}")
    return value


def _strings(key: str, values: list[Any]) -> list[str]:
    result = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ConfigError(key, f"must be a list of strings, got {value!r}")
        text = str(value).strip()
        if not text:
            raise ConfigError(key, "must not contain empty strings")
        result.append(text)
    return result


def _feed_spec(index: int, item: Any) -> FeedSpec:
    prefix = f"feeds.extra[{index}]"
    if not isinstance(item, dict):
        raise ConfigError(prefix, "must be a mapping with at least slug and title")
    for key in item:
        if key not in _FEED_KEYS:
            raise ConfigError(f"{prefix}.{key}", f"unknown key (known: {', '.join(sorted(_FEED_KEYS))})")
    for key in ("slug", "title"):
        if key not in item:
            raise ConfigError(f"{prefix}.{key}", "is required")
    slug = _expect(f"{prefix}.slug", item["slug"], str)
    title = _expect(f"{prefix}.title", item["title"], str)

    def listed(*keys: str) -> tuple[str, ...]:
        values: list[str] = []
        for key in keys:
            if key in item:
                raw = item[key]
                raw = raw if isinstance(raw, list) else [raw]
                values.extend(_strings(f"{prefix}.{key}", raw))
        return tuple(values)

    from aggregator.names import topic_slug  # local: slugify is only needed for configured feeds

    topics = tuple(dict.fromkeys(topic_slug(t) for t in listed("topics")))
    min_quality = item.get("min_quality")
    if min_quality is not None:
        min_quality = _expect(f"{prefix}.min_quality", min_quality, int)
        if not 0 <= min_quality <= 100:
            raise ConfigError(f"{prefix}.min_quality", "must be between 0 and 100")
    max_items = item.get("max_items")
    if max_items is not None:
        max_items = _expect(f"{prefix}.max_items", max_items, int)
        if max_items < 1:
            raise ConfigError(f"{prefix}.max_items", "must be at least 1")
    return FeedSpec(
        slug=slug,
        title=title,
        description=_expect(f"{prefix}.description", item.get("description", ""), str),
        topics=topics,
        categories=tuple(c.lower() for c in listed("categories", "category")),
        providers=tuple(p.lower() for p in listed("providers", "provider")),
        min_quality=min_quality,
        max_items=max_items,
    )


def _validated(config: Config) -> Config:
    """The config with base_url ending in "/", after the checks that span keys or ranges."""
    _check(config)
    if not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return config


def _check(config: Config) -> None:
    """Types are checked while reading; this checks values and ranges."""
    url = urlsplit(config.base_url)
    if url.scheme not in ("http", "https") or not url.netloc:
        raise ConfigError("site.base_url", f"must be an absolute http(s) URL, got {config.base_url!r}")
    if url.query or url.fragment:
        raise ConfigError("site.base_url", "must not have a query or fragment")
    if not config.site_title.strip():
        raise ConfigError("site.title", "must not be empty")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", config.language):
        raise ConfigError(
            "site.language", f"must be a language tag such as 'en' or 'en-GB', got {config.language!r}"
        )
    if not config.patterns:
        raise ConfigError("content.patterns", "must list at least one pattern")
    if config.max_file_bytes < 1024:
        raise ConfigError("content.max_file_bytes", "must be at least 1024")
    if config.max_items < 1:
        raise ConfigError("feeds.max_items", "must be at least 1")
    if config.interval_seconds < 1:
        raise ConfigError("schedule.interval_seconds", "must be at least 1")
    if config.lock_timeout_seconds < 0:
        raise ConfigError("schedule.lock_timeout_seconds", "must not be negative")
    if not 0 <= config.port <= 65535:
        raise ConfigError("server.port", "must be between 0 and 65535")
    if config.cache_max_age < 0:
        raise ConfigError("server.cache_max_age", "must not be negative")
    if config.output_dir.resolve() == config.content_dir.resolve():
        raise ConfigError("output.dir", "must not be the content folder")
    seen: set[str] = set()
    for index, spec in enumerate(config.extra_feeds):
        key = f"feeds.extra[{index}].slug"
        if not SLUG_RE.fullmatch(spec.slug):
            raise ConfigError(
                key, f"must be lower-case letters, digits and single hyphens, got {spec.slug!r}"
            )
        if spec.slug in RESERVED_SLUGS or spec.slug == "all":
            raise ConfigError(key, f"{spec.slug!r} is reserved")
        if spec.slug in seen:
            raise ConfigError(key, f"duplicate feed slug {spec.slug!r}")
        seen.add(spec.slug)
    options = config.stories
    if not 0 < options.headline_threshold <= 1:
        raise ConfigError("stories.headline_threshold", "must be in (0, 1]")
    if options.headline_min_shared < 1:
        raise ConfigError("stories.headline_min_shared", "must be at least 1")
    if options.headline_window_hours <= 0:
        raise ConfigError("stories.headline_window_hours", "must be positive")
    if options.max_cluster_size < 2:
        raise ConfigError("stories.max_cluster_size", "must be at least 2")
