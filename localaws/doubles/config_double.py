"""AWS Config ``StartConfigRulesEvaluation`` for moto 5.x, recorded so tests can assert on it.

After fixing a resource the engine asks Config to re-evaluate the rule behind the control, so the
finding flips to PASSED sooner; moto has no such call. API reference:
https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigRulesEvaluation.html

The double keeps the documented contract of the botocore model (JSON protocol,
``X-Amz-Target: StarlingDoveService.StartConfigRulesEvaluation``):

* 1..25 rule names, else ``InvalidParameterValueException``;
* every name must be a rule of the caller's account/Region (moto's ``config_rules``), else
  ``NoSuchConfigRuleException`` and nothing is recorded;
* each started evaluation is appended to the backend's ``started_config_rule_evaluations``.

Not modelled: ``ResourceInUseException`` for an evaluation still running (here evaluations finish
at once) and the evaluation itself (no ``ComplianceByConfigRule`` changes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, cast

from moto.config.exceptions import InvalidParameterValueException, NoSuchConfigRuleException
from moto.config.models import ConfigBackend, config_backends

if TYPE_CHECKING:
    from moto.config.responses import ConfigResponse

MAX_RULES_PER_CALL = 25


@dataclass(frozen=True)
class StartedConfigRuleEvaluation:
    """One rule evaluation the code under test asked for."""

    rule_name: str
    account_id: str
    region: str
    started_at: datetime


def _records(backend: ConfigBackend) -> list[StartedConfigRuleEvaluation]:
    """The backend's record, created on first use; moto's reset() drops it with the backend state."""
    return cast(
        "list[StartedConfigRuleEvaluation]",
        backend.__dict__.setdefault("started_config_rule_evaluations", []),
    )


def start_config_rules_evaluation(backend: ConfigBackend, rule_names: object) -> None:
    """Validate all names first, then record one evaluation per name (all or nothing)."""
    if not (
        isinstance(rule_names, list)
        and 1 <= len(rule_names) <= MAX_RULES_PER_CALL
        and all(isinstance(name, str) for name in rule_names)
    ):
        raise InvalidParameterValueException(
            f"ConfigRuleNames must list 1 to {MAX_RULES_PER_CALL} rule names"
        )
    names = cast("list[str]", rule_names)
    for name in names:
        if name not in backend.config_rules:
            raise NoSuchConfigRuleException(name)
    started_at = datetime.now(UTC)
    _records(backend).extend(
        StartedConfigRuleEvaluation(name, backend.account_id, backend.region_name, started_at)
        for name in names
    )


def started_config_evaluation_records(account_id: str, region: str) -> list[StartedConfigRuleEvaluation]:
    """Every evaluation started in this account/Region since moto's last reset, oldest first."""
    # dict.get, not [], so that asking does not create a backend.
    account_backends = config_backends.get(account_id)
    backend = account_backends.get(region) if account_backends is not None else None
    return list(_records(backend)) if backend is not None else []


def started_config_evaluations(account_id: str, region: str) -> list[str]:
    """Names of the rules whose evaluation was started in this account/Region, in call order."""
    return [record.rule_name for record in started_config_evaluation_records(account_id, region)]


def respond_start_config_rules_evaluation(response: ConfigResponse) -> str:
    """``ConfigResponse.start_config_rules_evaluation``; the output shape is an empty structure."""
    start_config_rules_evaluation(response.config_backend, response._get_param("ConfigRuleNames"))
    return "{}"
