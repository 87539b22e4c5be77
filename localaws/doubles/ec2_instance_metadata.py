"""EC2 `ModifyInstanceMetadataOptions` as AWS documents it: an option the request leaves out keeps its value.

moto 5.2.5 builds the instance's metadata options from the request alone: a request that names
only `HttpTokens` resets `HttpPutResponseHopLimit` to 1 and leaves `HttpEndpoint`,
`HttpProtocolIpv6` and `InstanceMetadataTags` out of `DescribeInstances`. AWS says of each
optional parameter "If this parameter is not specified, the existing state is maintained."
(https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyInstanceMetadataOptions.html),
and EC2.8's remediation relies on exactly that to change `HttpTokens` alone.

The double merges the request into the instance's current options. An unknown instance still
fails with moto's `InvalidInstanceID.NotFound`. Not modelled: the `pending` state AWS reports
until a running instance has applied the change (moto reports `applied` at once) and the
account-level defaults (`ModifyInstanceMetadataDefaults`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from moto.ec2.models.instances import MetadataOptions

if TYPE_CHECKING:
    from moto.ec2.models import EC2Backend


def modify_instance_metadata_options(
    backend: EC2Backend,
    instance_id: str,
    http_tokens: str | None = None,
    hop_limit: int | None = None,
    http_endpoint: str | None = None,
    dry_run: bool | None = False,
    http_protocol: str | None = None,
    metadata_tags: str | None = None,
) -> MetadataOptions:
    """Set the options the request names; every other option stays as the instance has it."""
    instance = backend.get_instance(instance_id)
    current = instance.metadata_options
    requested = {
        "HttpTokens": http_tokens,
        "HttpPutResponseHopLimit": hop_limit,
        "HttpEndpoint": http_endpoint,
        "HttpProtocolIpv6": http_protocol,
        "InstanceMetadataTags": metadata_tags,
    }
    kept = {
        "HttpTokens": current.http_tokens,
        "HttpPutResponseHopLimit": current.http_put_response_hop_limit,
        "HttpEndpoint": current.http_endpoint,
        "HttpProtocolIpv6": current.http_protocol_ipv6,
        "InstanceMetadataTags": current.instance_metadata_tags,
    }
    options = {key: kept[key] if value is None else value for key, value in requested.items()}
    instance.metadata_options = MetadataOptions({"State": "applied", **options})
    return instance.metadata_options
