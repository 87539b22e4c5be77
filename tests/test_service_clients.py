"""A remediation over several services gets one client that routes each method to its service."""

from __future__ import annotations

import boto3
import pytest

from remediations import catalog
from remediations.base import ServiceClients, owner_of
from remediations.cases import REGION


def test_each_method_goes_to_the_client_whose_api_has_it() -> None:
    logs, cloudwatch = (
        boto3.client("logs", region_name=REGION),
        boto3.client("cloudwatch", region_name=REGION),
    )
    both = ServiceClients([cloudwatch, logs])
    assert owner_of(both, "put_metric_filter") is logs
    assert owner_of(both, "put_metric_alarm") is cloudwatch
    assert both.put_metric_filter == logs.put_metric_filter
    assert both.get_paginator("describe_metric_filters").__class__.__name__.endswith("DescribeMetricFilters")
    assert owner_of(logs, "put_metric_filter") is logs  # one service's client is its own owner
    with pytest.raises(AttributeError):
        _ = both.create_bucket


def test_a_remediation_of_one_service_gets_that_client_alone() -> None:
    made: list[str] = []

    def make(service: str) -> str:
        made.append(service)
        return service

    assert catalog()["s3.require-ssl"].client_from(make) == "s3"
    assert made == ["s3"]


def test_a_remediation_over_several_services_gets_each_of_its_clients() -> None:
    remediation = catalog()["cloudwatch.create-cis-alarm"]
    client = remediation.client_from(lambda s: boto3.client(s, region_name=REGION))  # type: ignore[call-overload]
    assert isinstance(client, ServiceClients)
    names = [c.meta.service_model.service_name for c in client.clients]
    assert names == [remediation.service, *remediation.also] == ["cloudwatch", "logs", "cloudtrail"]
