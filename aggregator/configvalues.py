"""Checks for the config values readers see: content mode, WebSub hubs, icon and logo.

Each returns the value to keep or raises `ConfigError` naming the key and the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONTENT_MODES = ("summary", "full")


class ConfigError(ValueError):
    """A config value is invalid; `key` is its dotted path."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"config error: {key}: {reason}")
        self.key = key
        self.reason = reason


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


def content_mode(key: str, value: object) -> str:
    if not isinstance(value, str) or value not in CONTENT_MODES:
        raise ConfigError(key, f"must be one of {', '.join(CONTENT_MODES)}, got {value!r}")
    return value


def hub_url(key: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(key, f"must be an absolute http(s) URL, got {value!r}")
    return value


def site_asset(key: str, value: str, beside: Path) -> str:
    """An absolute http(s) URL as it is, or the absolute path of an image file beside the config."""
    value = value.strip()
    if not value:
        return ""
    scheme = urlsplit(value).scheme.lower()
    if scheme in ("http", "https"):
        return hub_url(key, value)
    if scheme and len(scheme) > 1:  # `C:` is a drive, anything longer a scheme
        raise ConfigError(key, f"must be an absolute http(s) URL or an image file, got {value!r}")
    path = (beside / value).resolve()
    if path.suffix.lower() not in ASSET_TYPES:
        raise ConfigError(key, f"must be an image file ({', '.join(sorted(ASSET_TYPES))}), got {path.name!r}")
    if not path.is_file():
        raise ConfigError(key, f"file not found: {path}")
    return str(path)


def expect(key: str, value: Any, kind: type) -> Any:
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


def strings(key: str, values: list[Any]) -> list[str]:
    result = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ConfigError(key, f"must be a list of strings, got {value!r}")
        text = str(value).strip()
        if not text:
            raise ConfigError(key, "must not contain empty strings")
        result.append(text)
    return result
