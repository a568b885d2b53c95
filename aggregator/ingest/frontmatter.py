"""Splitting a file into front matter and body, and loading the front matter safely.

The plain block YAML nearly every file is written in goes through the line-based fast
path (`blockyaml`); anything else through the guard (`yamlguard`) and libyaml
(`yamlload`). Every failure becomes an `ArticleError` with a reason a person can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from aggregator.ingest.blockyaml import BlockMemo, load_block
from aggregator.ingest.text import xml_safe
from aggregator.ingest.yamlguard import MAX_NESTING, HostileYaml, check_structure
from aggregator.ingest.yamlload import ContentLoader, load_yaml


class ArticleError(ValueError):
    """The file cannot become an article; `reason` says why, for the build report."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- YAML -----------------------------------------------------------------------------


class _FrontMatter(YAMLHandler):
    """python-frontmatter's YAML handler, loading with libyaml and YAML 1.2 scalars."""

    def load(self, fm: str, **kwargs: object) -> Any:
        return load_yaml(fm)


_HANDLER = _FrontMatter()


def load_front_matter(data: bytes) -> tuple[Mapping[str, Any], str]:
    """Split and parse the front matter; every failure becomes an ArticleError."""
    metadata, body, _cleaned = read_front_matter(data)
    return metadata, body


def read_front_matter(data: bytes, memo: BlockMemo | None = None) -> tuple[dict[str, Any], str, bool]:
    """(fields, body, whether XML-illegal characters had to be dropped to load it);
    `memo` is the batch's, when many files are read."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (invalid byte at offset {exc.start})") from None
    stripped = text.lstrip()
    # File line of the front matter's first line: after any blank lines and the `---`.
    first_line = text.count("\n", 0, len(text) - len(stripped)) + 2
    text = stripped
    if not _HANDLER.detect(text):
        raise ArticleError("no front matter (the file must start with a '---' line)")
    front, body = _split(text)
    cleaned = False
    try:
        metadata = _load_yaml(front, memo, first_line)
    except yaml.reader.ReaderError as exc:
        # libyaml refuses control characters anywhere in the stream; they could never
        # reach a feed anyway, so a stray one costs a warning, not the article.
        safe = xml_safe(front)
        if safe == front:
            raise ArticleError(f"invalid YAML: {_yaml_problem(exc)}") from None
        metadata, cleaned = _load_yaml(safe, memo, first_line), True
    if not isinstance(metadata, dict):
        kind = "empty" if metadata is None else f"a {type(metadata).__name__}"
        raise ArticleError(f"front matter must be a mapping of fields, got {kind}")
    return metadata, body, cleaned


def _load_yaml(front: str, memo: BlockMemo | None, first_line: int = 2) -> Any:
    data = load_block(front, memo)  # plain block YAML, as nearly every file is: no libyaml needed
    if data is not None:
        return data
    try:
        check_structure(front, ContentLoader)
        return _HANDLER.load(front)
    except HostileYaml as exc:
        raise ArticleError(str(exc)) from None
    except yaml.reader.ReaderError:
        raise
    except yaml.YAMLError as exc:
        raise ArticleError(f"invalid YAML: {_yaml_problem(exc, first_line)}") from None
    except RecursionError:
        raise ArticleError(f"front matter nested deeper than {MAX_NESTING} levels") from None
    except (ValueError, OverflowError) as exc:  # e.g. `!!int` with 5,000 digits
        raise ArticleError(f"invalid YAML value: {str(exc)[:120]}") from None


def _split(text: str) -> tuple[str, str]:
    """Front matter and body, split at the second boundary line (`---`, as python-frontmatter
    defines it), found by scanning lines rather than by a regular expression over the file."""
    start = text.find("\n") + 1
    position = start - 1
    while (position := text.find("\n-", position + 1)) != -1:
        end = text.find("\n", position + 1)
        line = text[position + 1 : end if end != -1 else len(text)].rstrip()
        if len(line) >= 3 and not line.strip("-"):
            return text[start : position + 1], text[end + 1 :] if end != -1 else ""
    raise ArticleError("front matter is not closed by a '---' line")


def _yaml_problem(exc: yaml.YAMLError, first_line: int = 2) -> str:
    """libyaml's complaint in file line numbers: where it noticed the problem and, when
    that is not where the trouble began (a quote left open), where that construct opened.

    Marks count lines from 0 within the front matter, which starts at `first_line`."""
    if isinstance(exc, yaml.reader.ReaderError):
        return f"{exc.reason} (character {exc.character!r} at offset {exc.position})"
    problem = getattr(exc, "problem", None) or exc.__class__.__name__
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + first_line}, column {mark.column + 1}" if mark is not None else ""
    context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and opened is not None and (mark is None or opened.line != mark.line):
        where += f" ({context} that began at line {opened.line + first_line}, column {opened.column + 1})"
    return f"{problem}{where}"


# --- the model ------------------------------------------------------------------------
