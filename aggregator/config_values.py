"""Typed config values: the error that names a key, and the checks of one value's type."""

from __future__ import annotations

from typing import Any


class ConfigError(ValueError):
    """A config value is invalid; `key` is its dotted path."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"config error: {key}: {reason}")
        self.key = key
        self.reason = reason


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
