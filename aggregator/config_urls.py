"""The remote ends a config may name: the state database and the object store.

Pure checks of `state.url`, `output.url` and `output.endpoint_url`, so the config module
stays about reading keys; each problem comes back as (key, reason).
"""

from __future__ import annotations

from urllib.parse import urlsplit


def url_problem(
    state_url: str | None, output_url: str | None, endpoint_url: str | None
) -> tuple[str, str] | None:
    if state_url is not None and urlsplit(state_url).scheme not in ("postgresql", "postgres"):
        return "state.url", "must be a postgresql://USER@HOST:PORT/DATABASE URL"
    if output_url is not None:
        url = urlsplit(output_url)
        if url.scheme != "s3" or not url.netloc:
            return "output.url", f"must be an s3://BUCKET/PREFIX URL, got {output_url!r}"
        if url.query or url.fragment:
            return "output.url", "must not have a query or fragment"
    if endpoint_url is not None:
        if output_url is None:
            return "output.endpoint_url", "needs output.url (an s3:// URL)"
        url = urlsplit(endpoint_url)
        if url.scheme not in ("http", "https") or not url.netloc:
            return "output.endpoint_url", f"must be an absolute http(s) URL, got {endpoint_url!r}"
    return None


def split_s3_url(output_url: str) -> tuple[str, str]:
    """(bucket, key prefix ending in "/" or empty) of an s3://BUCKET/PREFIX URL."""
    url = urlsplit(output_url)
    prefix = url.path.strip("/")
    return url.netloc, f"{prefix}/" if prefix else ""
