"""The site in object storage: moto's standalone S3 server on loopback, standard S3 calls.

The bucket must end up holding what a local build writes to its folder (same names,
same bytes), each object with its media type and Cache-Control; only changed objects
are uploaded; an upload that fails leaves the published site readable and the next
build (without --full) completes it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from conftest import Workspace, article
from moto.server import ThreadedMotoServer
from pgserver import free_port
from test_serve_e2e import headline

import aggregator.output.s3 as s3_module

BUCKET = "feeds-site"
TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "js": "text/javascript; charset=utf-8",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint: str, monkeypatch) -> Any:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    client = boto3.client("s3", endpoint_url=s3_endpoint)
    existing = {b["Name"] for b in client.list_buckets()["Buckets"]}
    if BUCKET in existing:
        keys = [{"Key": o["Key"]} for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=BUCKET, Delete={"Objects": keys})
    else:
        client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture(autouse=True)
def clock(monkeypatch) -> list[dt.datetime]:
    now = [dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr("aggregator.build.now_utc", lambda: now[0])
    return now


def objects(client: Any, prefix: str = "site/") -> dict[str, bytes]:
    listed = client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    return {
        o["Key"][len(prefix) :]: client.get_object(Bucket=BUCKET, Key=o["Key"])["Body"].read()
        for o in listed
        if not o["Key"].endswith(s3_module.MANIFEST)
    }


def local_tree(ws: Workspace) -> dict[str, bytes]:
    return {
        str(p.relative_to(ws.output)): p.read_bytes() for p in sorted(ws.output.rglob("*")) if p.is_file()
    }


def pair(make_ws, endpoint: str) -> tuple[Workspace, Workspace]:
    local, remote = make_ws("local"), make_ws("bucket")
    remote.write_config({"output": {"url": f"s3://{BUCKET}/site", "endpoint_url": endpoint}})
    for ws in (local, remote):
        for i in range(8):
            topics = ["Robotics"] if i % 2 else ["Space", "AI"]
            ws.add(f"s{i}.md", article(title=headline(f"s{i}"), url=f"https://e.example/{i}", topics=topics))
    return local, remote


def test_the_bucket_holds_what_the_folder_holds_with_types_and_cache_control(
    s3, s3_endpoint, make_ws
) -> None:
    local, remote = pair(make_ws, s3_endpoint)
    local.build()
    remote.build()
    assert not remote.output.exists()
    stored = objects(s3)
    assert stored == local_tree(local)
    for name in stored:
        head = s3.head_object(Bucket=BUCKET, Key="site/" + name)
        assert head["ContentType"] == TYPES[name.rsplit(".", 1)[1]]
        assert head["CacheControl"] == "public, max-age=300"


def test_only_changed_objects_are_uploaded_and_stale_ones_deleted(s3, s3_endpoint, make_ws, clock) -> None:
    local, remote = pair(make_ws, s3_endpoint)
    remote.build()
    before = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    time.sleep(1.1)  # LastModified has one-second precision
    clock[0] += dt.timedelta(minutes=5)
    for ws in (local, remote):  # the only Space/AI story... no: every "Space" story goes
        for i in range(0, 8, 2):
            ws.remove(f"s{i}.md")
    report = remote.build()
    local.build()
    after = {o["Key"]: o["LastModified"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert {"site/feeds/space.atom", "site/feeds/ai.json"} <= set(before) and not {
        "site/feeds/space.atom",
        "site/feeds/ai.json",
    } & set(after)
    assert sorted(report["removed"]) == sorted(k[5:] for k in set(before) - set(after))
    rewritten = {k[5:] for k in after if after[k] != before.get(k)} - {s3_module.MANIFEST}
    assert (
        rewritten == set(report["written"]) and "feeds/robotics.atom" not in rewritten
    )  # unchanged bytes stay
    assert objects(s3) == local_tree(local)


def test_a_failed_upload_leaves_the_site_readable_and_the_next_build_completes_it(
    s3, s3_endpoint, make_ws, clock, monkeypatch
) -> None:
    local, remote = pair(make_ws, s3_endpoint)
    remote.build()
    published = objects(s3)
    clock[0] += dt.timedelta(minutes=5)
    for ws in (local, remote):
        ws.add("new.md", article(title=headline("new"), url="https://e.example/new", topics=["Robotics"]))
    uploads: list[str] = []
    real = s3_module.make_client

    def failing_client(endpoint_url: str | None) -> Any:
        client = real(endpoint_url)

        def refuse(params: dict[str, Any], **_kw: Any) -> None:
            uploads.append(params["Key"])
            if params["Key"] == "site/feeds/robotics.rss":  # after index.html in name order
                raise ConnectionError("connection reset by peer")

        client.meta.events.register("before-parameter-build.s3.PutObject", refuse)
        return client

    monkeypatch.setattr(s3_module, "make_client", failing_client)
    result = remote.cli("build", expect=1)
    assert (
        "build failed: upload of s3://feeds-site/site/" in result.output and "Traceback" not in result.output
    )
    assert uploads[-1] == "site/feeds/robotics.rss" and "site/index.html" not in uploads  # feeds first
    now = objects(s3)
    assert now["index.html"] == published["index.html"] and now["feeds.opml"] == published["feeds.opml"]
    assert set(now) == set(published)

    monkeypatch.setattr(s3_module, "make_client", real)
    report = remote.build()
    assert report["parsed"] == 1  # not --full: the state was rolled back to the last build
    local.build()
    assert objects(s3) == local_tree(local)
