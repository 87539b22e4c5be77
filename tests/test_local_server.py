"""The local AWS server routes each request as moto does, without re-listing moto's package every time."""

from __future__ import annotations

import os

import boto3
import moto
import moto.backends
import pytest

from localaws.server import start_server


def test_the_server_reads_moto_s_module_list_once_and_routes_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package = os.path.dirname(moto.__file__)
    expected = [
        name
        for name in sorted(os.listdir(package))
        if os.path.isdir(os.path.join(package, name)) and not name.startswith("__")
    ]
    server, endpoint = start_server()
    try:
        assert list(moto.backends.list_of_moto_modules()) == expected
        s3 = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1").client(
            "s3", endpoint_url=endpoint
        )
        s3.create_bucket(Bucket="routed-once")  # the first request loads the service's models
        listed: list[str] = []
        listdir = os.listdir

        def counted(path: str) -> list[str]:
            listed.append(path)
            return listdir(path)

        monkeypatch.setattr(os, "listdir", counted)
        for _ in range(5):
            assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["routed-once"]
        assert package not in listed
    finally:
        server.stop()
