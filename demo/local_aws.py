"""A throwaway AWS on loopback: a moto server, fake credentials, a hub and a member account.

Nothing of the user's is read or touched: the process's AWS variables are replaced for the
duration (credentials, region, config files, endpoint) and restored afterwards. moto maps
assumed-role credentials to the role's account, so the member account is reached exactly
as the engine reaches it in production: by assuming `MEMBER_ROLE_NAME` from the hub.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import boto3

from engine.settings import Settings
from localaws.engine_setup import create_state_table
from localaws.server import start_server
from localaws.sessions import assume_role_session

HUB_ACCOUNT = "123456789012"  # moto's default account: plain credentials act here
MEMBER_ACCOUNT = "210987654321"
REGION = "us-east-1"
#: The role AWS Organizations creates in every member; the demo uses it once, to set the member up.
BOOTSTRAP_ROLE_NAME = "OrganizationAccountAccessRole"
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "demo", "AWS_SECRET_ACCESS_KEY": "demo", "AWS_SESSION_TOKEN": "demo"}
#: Variables that could point boto3 at a real account; all are removed while the demo runs.
USER_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
)


@contextmanager
def local_aws() -> Iterator[str]:
    """Start moto on a free loopback port with fake credentials; yields the endpoint URL."""
    saved = dict(os.environ)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log between the demo's lines
    server, endpoint = start_server(port=0)
    try:
        for name in USER_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(FAKE_CREDENTIALS)
        os.environ.update(
            {
                "AWS_CONFIG_FILE": os.devnull,
                "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ENDPOINT_URL": endpoint,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        reset(endpoint)  # moto's state is per process: start from an empty estate
        yield endpoint
    finally:
        reset(endpoint)
        server.stop()
        os.environ.clear()
        os.environ.update(saved)


def reset(endpoint: str) -> None:
    """moto's reset API: forget every resource in every account."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        response.read()


def hub_session() -> boto3.Session:
    return boto3.Session(region_name=REGION)


def member_session(hub: boto3.Session, account: str = MEMBER_ACCOUNT) -> boto3.Session:
    """A session in the member account through its bootstrap role (to build the member's estate)."""
    return assume_role_session(
        account, BOOTSTRAP_ROLE_NAME, source=hub, region=REGION, session_name="demo-setup"
    )


def create_member_role(member: boto3.Session, name: str, hub_account: str = HUB_ACCOUNT) -> str:
    """The role the engine assumes in the member (MEMBER_ROLE_NAME), trusting the hub account."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{hub_account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = member.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))
    return role["Role"]["Arn"]


@dataclass
class Provisioner:
    """Creates what the stack deploys beside its functions, as each function's settings name it.

    Called on each function's cold start: the state table and notification topic in the hub,
    and in every member the role the function assumes there (one per remediation family).
    """

    hub: boto3.Session
    members: Sequence[boto3.Session]
    created: set[str] = field(default_factory=set)

    def __call__(self, settings: Settings) -> None:
        if settings.state_table and f"table:{settings.state_table}" not in self.created:
            create_state_table(settings.state_table, REGION, session=self.hub)
            self.created.add(f"table:{settings.state_table}")
        if settings.topic_arn and f"topic:{settings.topic_arn}" not in self.created:
            self.hub.client("sns").create_topic(Name=settings.topic_arn.rsplit(":", 1)[-1])
            self.created.add(f"topic:{settings.topic_arn}")
        if settings.member_role_name and f"role:{settings.member_role_name}" not in self.created:
            for member in self.members:
                create_member_role(member, settings.member_role_name)
            self.created.add(f"role:{settings.member_role_name}")
