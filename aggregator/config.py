"""Loading and validating the service configuration.

Every key has an embedded default, so the service runs with no config file at all.
A bad value fails fast with a `ConfigError` naming the key and the reason, before
anything is read or written. The keys, their types, defaults and checks are the table
in `aggregator.configschema`; `python -m aggregator.config --write-default` writes the
commented `config/aggregator.yaml` from it, `--write-readme` the README's reference.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from aggregator.config_urls import url_problem
from aggregator.configschema import KEYS, SECTIONS, ConfigError, Key, content_mode, default, site_asset
from aggregator.state.site import default_state_path

__all__ = ["Config", "ConfigError", "FeedSpec", "StoryOptions", "load_config"]

CONFIG_ENV = "AGGREGATOR_CONFIG"
STATE_URL_ENV = "AGGREGATOR_STATE_URL"  # wins over state.url: a host's secret stays out of the file
DEFAULT_CONFIG_PATH = Path("config/aggregator.yaml")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Slugs the service itself uses for other files or routes.
RESERVED_SLUGS = frozenset({"index", "feeds", "healthz"})


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
    content: str | None = None  # "summary" or "full"; None follows feeds.content


@dataclass(frozen=True)
class StoryOptions:
    """How related articles merge into stories."""

    headline_matching: bool = default("stories.headline_matching")
    headline_threshold: float = default("stories.headline_threshold")
    headline_min_shared: int = default("stories.headline_min_shared")
    headline_window_hours: float = default("stories.headline_window_hours")
    max_cluster_size: int = default("stories.max_cluster_size")
    url_aliases: dict[str, str] = field(default_factory=lambda: default("stories.url_aliases"))


@dataclass(frozen=True)
class Config:
    """The validated config; every default is the table's (`aggregator.configschema`)."""

    site_title: str = default("site.title")
    site_description: str = default("site.description")
    base_url: str = default("site.base_url")
    language: str = default("site.language")
    content_dir: Path = default("content.dir")  # noqa: RUF009 (a Path is immutable)
    patterns: tuple[str, ...] = default("content.patterns")
    max_file_bytes: int = default("content.max_file_bytes")
    output_dir: Path = default("output.dir")  # noqa: RUF009 (a Path is immutable)
    state_setting: Path | None = default("state.path")  # noqa: RUF009 (None: the site's own store)
    state_url: str | None = default("state.url")  # postgresql://...: the state in PostgreSQL
    output_url: str | None = default("output.url")  # s3://BUCKET/PREFIX: the site in object storage
    output_endpoint_url: str | None = default("output.endpoint_url")  # an S3-compatible store's API
    max_items: int = default("feeds.max_items")
    extra_feeds: tuple[FeedSpec, ...] = default("feeds.extra")
    interval_seconds: int = default("schedule.interval_seconds")
    lock_timeout_seconds: float = default("schedule.lock_timeout_seconds")
    host: str = default("server.host")
    port: int = default("server.port")
    cache_max_age: int = default("server.cache_max_age")
    metrics: bool = default("server.metrics")
    stories: StoryOptions = field(default_factory=StoryOptions)
    content_mode: str = default("feeds.content")
    hubs: tuple[str, ...] = default("websub.hubs")
    site_icon: str = default("site.icon")  # an absolute URL, or the absolute path of a file to publish
    site_logo: str = default("site.logo")
    watch: bool = default("schedule.watch")
    source: str = "embedded defaults"  # where this config came from, for messages

    @property
    def state_path(self) -> Path:
        """The state store: `state.path` if set, else one of this site's own."""
        if self.state_setting is not None:
            return self.state_setting
        return default_state_path(self.content_dir, self.output_dir)

    @property
    def state_backend(self) -> str:
        return "postgresql" if self.state_url else "sqlite"

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
    """Load the config from `path` (or the usual places), validated; $AGGREGATOR_STATE_URL
    wins over `state.url`."""
    config = _load_file(path)
    env_url = os.environ.get(STATE_URL_ENV)
    if env_url:
        config = _validated(replace(config, state_url=env_url), env=True)
    return config


def _load_file(path: str | os.PathLike[str] | None) -> Config:
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


_SECTIONS = SECTIONS
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
    "content",
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
    story_kwargs: dict[str, Any] = {}
    beside = Path(source).parent if source not in ("mapping", "embedded defaults") else Path()
    for key in KEYS:
        if key.name in sections[key.section]:
            target = story_kwargs if key.section == "stories" else kwargs
            target[key.attr] = _read(key, sections[key.section][key.name], beside)
    kwargs["stories"] = replace(base.stories, **story_kwargs)
    return _validated(replace(base, **kwargs))


def _read(key: Key, value: Any, beside: Path) -> Any:
    """A key's value from the YAML, type-checked and converted (ranges: `_check`);
    `beside` is the config file's folder, where an icon or logo file is found."""
    if value is None and key.default is None:  # written out as unset (`path: null`)
        return None
    if key.kind is Path:
        return Path(_expect(key.path, value, str))
    value = _expect(key.path, value, key.kind)
    if key.path in ("content.patterns", "websub.hubs"):
        return tuple(_strings(key.path, value))
    if key.path in ("site.icon", "site.logo"):
        return site_asset(key.path, value, beside)
    if key.path == "feeds.extra":
        return tuple(_feed_spec(i, item) for i, item in enumerate(value))
    if key.path == "stories.url_aliases":
        aliases = {}
        for host, target in value.items():
            if not isinstance(host, str) or not isinstance(target, str) or not host or not target:
                raise ConfigError(key.path, "must map host names to host names")
            aliases[_bare_host(host)] = _bare_host(target)
        return aliases
    return value


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
        content=_feed_content(prefix, item),
    )


def _validated(config: Config, env: bool = False) -> Config:
    """The config with base_url ending in "/", after the checks that span keys or ranges."""
    _check(config)
    problem = url_problem(config.state_url, config.output_url, config.output_endpoint_url)
    if problem is not None:
        key, reason = problem
        raise ConfigError(f"${STATE_URL_ENV}" if env and key == "state.url" else key, reason)
    if not config.base_url.endswith("/"):
        config = replace(config, base_url=config.base_url + "/")
    return config


def _feed_content(prefix: str, item: dict[str, Any]) -> str | None:
    """A feed's own `content:`, or None to follow `feeds.content`."""
    if "content" not in item:
        return None
    reason = content_mode(item["content"])
    if reason is not None:
        raise ConfigError(f"{prefix}.content", reason)
    return item["content"]


def _check(config: Config) -> None:
    """Types are checked while reading; this checks values and ranges."""
    for key in KEYS:
        if key.check is not None:
            owner = config.stories if key.section == "stories" else config
            reason = key.check(getattr(owner, key.attr))
            if reason is not None:
                raise ConfigError(key.path, reason)
        if key.item_check is not None:
            for index, item in enumerate(getattr(config, key.attr)):
                reason = key.item_check(item)
                if reason is not None:
                    raise ConfigError(f"{key.path}[{index}]", reason)
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


if __name__ == "__main__":  # `python -m aggregator.config --write-default --write-readme`
    from aggregator.configdocs import main

    raise SystemExit(main())
