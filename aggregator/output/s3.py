"""Publishing the site to S3 or an S3-compatible store (MinIO, Ceph, R2), with boto3.

Object keys mirror the names in the output folder under the URL's prefix. Only standard
S3 calls are used (GetObject, PutObject, DeleteObjects). What was published is kept in
one manifest object beside the site (name -> SHA-256 and size), so a build uploads only
objects whose bytes changed and never lists the bucket. Feeds and pages go up first,
`feeds.opml` and `index.html` last, so nothing links to an object not there yet; stale
objects are deleted after, and the manifest is written last of all. An upload that
fails leaves every earlier version readable and the manifest unchanged, so the next
build uploads everything that still differs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Set
from typing import Any

from aggregator.config_urls import split_s3_url
from aggregator.output.publish import PublishResult
from aggregator.output.render.links import MEDIA_TYPES
from aggregator.state.errors import PublishFailed

MANIFEST = ".aggregator-manifest.json"
LAST = ("feeds.opml", "index.html")  # the entry points: once they are new, all they name is there


def content_type(name: str) -> str:
    kind = name.rsplit(".", 1)[-1]
    return f"{MEDIA_TYPES.get(kind, 'application/octet-stream')}; charset=utf-8"


def make_client(endpoint_url: str | None) -> Any:
    """An S3 client from the standard credential chain (environment, files, roles)."""
    import boto3
    from botocore.config import Config as BotoConfig

    settings = BotoConfig(connect_timeout=5, read_timeout=30, retries={"max_attempts": 3, "mode": "standard"})
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=settings)


class S3Publisher:
    def __init__(self, url: str, endpoint_url: str | None, cache_max_age: int) -> None:
        self.bucket, self.prefix = split_s3_url(url)
        self.endpoint_url = endpoint_url
        self.cache_control = f"public, max-age={cache_max_age}"
        self._client: Any = None

    def describe(self) -> str:
        where = f"s3://{self.bucket}/{self.prefix}"
        return f"{where} at {self.endpoint_url}" if self.endpoint_url else where

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = make_client(self.endpoint_url)
        return self._client

    def damaged(self, published: Mapping[str, int]) -> set[str]:
        """Names the manifest does not hold at that size (one GET, no listing)."""
        manifest = self._manifest()
        return {name for name, size in published.items() if manifest.get(name, {}).get("size") != size}

    def publish(self, files: Mapping[str, bytes], expected: Set[str]) -> PublishResult:
        old = self._manifest()
        result = PublishResult()
        entries = {name: entry for name, entry in old.items() if name in expected}
        for name in sorted(files, key=lambda n: (n in LAST, LAST.index(n) if n in LAST else 0, n)):
            entry = {"sha256": hashlib.sha256(files[name]).hexdigest(), "size": len(files[name])}
            if old.get(name) == entry:
                result.unchanged.append(name)
                continue
            self._call(
                "upload",
                name,
                self.client.put_object,
                Bucket=self.bucket,
                Key=self.prefix + name,
                Body=files[name],
                ContentType=content_type(name),
                CacheControl=self.cache_control,
            )
            entries[name] = entry
            result.written.append(name)
        stale = sorted(set(old) - set(expected))
        for start in range(0, len(stale), 1000):  # DeleteObjects takes up to 1000 keys
            batch = stale[start : start + 1000]
            objects = [{"Key": self.prefix + name} for name in batch]
            reply = self._call(
                "delete",
                batch[0],
                self.client.delete_objects,
                Bucket=self.bucket,
                Delete={"Objects": objects},
            )
            if reply.get("Errors"):
                error = reply["Errors"][0]
                raise PublishFailed(
                    f"delete of s3://{self.bucket}/{error.get('Key')} failed: {error.get('Message')}"
                )
            result.removed += batch
        if result.written or result.removed or entries != old:
            body = json.dumps(entries, sort_keys=True, indent=0).encode()
            self._call(
                "upload",
                MANIFEST,
                self.client.put_object,
                Bucket=self.bucket,
                Key=self.prefix + MANIFEST,
                Body=body,
                ContentType="application/json",
                CacheControl="no-store",
            )
        return result

    def _manifest(self) -> dict[str, dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self.prefix + MANIFEST)
            data = json.loads(reply["Body"].read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return {}
            raise PublishFailed(f"cannot read s3://{self.bucket}/{self.prefix}{MANIFEST}: {exc}") from None
        except ValueError:
            return {}  # unreadable: every object counts as changed and is uploaded again
        except Exception as exc:
            raise PublishFailed(f"cannot reach {self.describe()}: {exc}") from None
        return data if isinstance(data, dict) else {}

    def _call(self, action: str, name: str, call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except Exception as exc:  # botocore's errors: a refusal, a timeout, no credentials
            raise PublishFailed(
                f"{action} of s3://{self.bucket}/{self.prefix}{name} failed: {exc}; the previous version stays"
            ) from None
