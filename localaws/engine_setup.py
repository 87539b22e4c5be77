"""An engine wired exactly like the deployed handler, on a recording session, and its state table."""

from __future__ import annotations

from typing import Any

import boto3

from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.process import Engine
from engine.settings import Settings
from engine.state import ATTRIBUTE_DEFINITIONS, KEY_SCHEMA
from localaws.estate import ACCOUNT, REGION
from localaws.recorder import CallRecorder, recording_session
from localaws.sessions import default_session
from rules.registry import Registry


def make_engine(settings: Settings | None = None, region: str = REGION) -> tuple[Engine, CallRecorder]:
    settings = settings or Settings(home_account_id=ACCOUNT)
    session, recorder = recording_session(region)
    clients = ClientFactory(
        session, member_role_name=settings.member_role_name, home_account_id=settings.home_account_id
    )
    return build_engine(settings, clients), recorder


def create_state_table(name: str, region: str = REGION, *, session: boto3.Session | None = None) -> None:
    """The stack's state table, as template.yaml declares it, in moto."""
    default_session(session).client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[dict(item) for item in KEY_SCHEMA],  # type: ignore[misc]
        AttributeDefinitions=[dict(item) for item in ATTRIBUTE_DEFINITIONS],  # type: ignore[misc]
        BillingMode="PAY_PER_REQUEST",
    )


def registry_with(registry: Registry, rule_id: str, **changes: Any) -> Registry:
    """The registry with one rule's settings changed, as a registry.json edit would.

    Tests of the engine's machinery (claims, write-ahead records, retries) use it to make a
    manual rule automatic, as a team may, so its automatic events are applied.
    """
    changed = registry.by_id(rule_id)._replace(**changes)
    return Registry(
        rules=tuple(changed if rule.id == rule_id else rule for rule in registry.rules),
        index={key: changed if rule.id == rule_id else rule for key, rule in registry.index.items()},
        ids={**registry.ids, rule_id: changed},
        unloaded=registry.unloaded,
    )


def automatic(registry: Registry, *rule_ids: str) -> Registry:
    """The registry with these rules in automatic mode, whatever their risk class gives."""
    for rule_id in rule_ids:
        registry = registry_with(registry, rule_id, mode="automatic")
    return registry
