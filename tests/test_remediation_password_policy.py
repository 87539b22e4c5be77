"""The password-policy merge never weakens anything, and HardExpiry stays the rule's call.

"Stricter" per field: a longer minimum length, more remembered passwords, a shorter
maximum age (0 or absent: passwords never expire, the weakest), and a requirement switched
on. The properties are checked on the merge and on the request actually sent to AWS, since
UpdateAccountPasswordPolicy resets every field the request leaves out.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from model.outcome import Plan
from remediations.iam_password_policy import BOOLEAN_FIELDS, DEFAULTS, OWNERS_CHOICE, merge, plan

REQUIREMENTS = tuple(name for name in BOOLEAN_FIELDS if name != "HardExpiry")

#: A policy as GetAccountPasswordPolicy can return it (any field may be absent).
current_policies = st.fixed_dictionaries(
    {},
    optional={
        "MinimumPasswordLength": st.integers(6, 128),
        "PasswordReusePrevention": st.integers(1, 24),
        "MaxPasswordAge": st.integers(1, 1095),
        **{name: st.booleans() for name in BOOLEAN_FIELDS},
    },
)
#: Rule parameters, as the remediation's schema allows them.
rule_parameters = st.fixed_dictionaries(
    {},
    optional={
        "MinimumPasswordLength": st.integers(6, 128),
        "PasswordReusePrevention": st.integers(1, 24),
        "MaxPasswordAge": st.integers(1, 1095),
        **{name: st.booleans() for name in BOOLEAN_FIELDS},
    },
)


def at_least_as_strict(policy: dict[str, Any], other: dict[str, Any]) -> list[str]:
    """The fields on which `policy` is weaker than `other` (empty: at least as strict)."""
    weaker = []
    for name in ("MinimumPasswordLength", "PasswordReusePrevention"):
        if policy.get(name, 0) < other.get(name, 0):
            weaker.append(name)
    age, other_age = policy.get("MaxPasswordAge") or 0, other.get("MaxPasswordAge") or 0
    if other_age and (not age or age > other_age):
        weaker.append("MaxPasswordAge")
    weaker.extend(
        name for name in BOOLEAN_FIELDS if name != OWNERS_CHOICE and other.get(name) and not policy.get(name)
    )
    return weaker


def sent(result: Plan) -> dict[str, Any]:
    """The policy AWS ends up with after the request (omitted fields revert to their defaults)."""
    return {"MinimumPasswordLength": 6, **request(result)}


def request(result: Plan) -> dict[str, Any]:
    """The whole policy sent: one UpdateAccountPasswordPolicy call."""
    [call] = result.calls
    assert call.method == "update_account_password_policy"
    return dict(call.params)


@given(current_policies, rule_parameters)
def test_merge_is_at_least_as_strict_as_current_and_target(
    current: dict[str, Any], params: dict[str, Any]
) -> None:
    target = {**DEFAULTS, **params}
    merged = merge(current, target)
    assert at_least_as_strict(merged, current) == []
    assert at_least_as_strict(merged, {k: v for k, v in target.items() if k != "HardExpiry"}) == []


@given(current_policies, rule_parameters)
def test_policy_sent_is_at_least_as_strict_and_applies_once(
    current: dict[str, Any], params: dict[str, Any]
) -> None:
    result = plan(current, params)
    if result.compliant:
        assert at_least_as_strict(current, {**DEFAULTS, **params, "HardExpiry": False}) == []
        return
    after = sent(result)
    assert at_least_as_strict(after, current) == []
    assert (
        at_least_as_strict(after, {**DEFAULTS, **params, "HardExpiry": params.get("HardExpiry", False)}) == []
    )
    assert plan(after, params).compliant, "a second run must find nothing to change"
    assert {change.field for change in result.changes} <= {*DEFAULTS, OWNERS_CHOICE}
    assert all(change.before != change.after for change in result.changes)


@given(current_policies, rule_parameters)
def test_hard_expiry_is_switched_on_only_when_asked(current: dict[str, Any], params: dict[str, Any]) -> None:
    result = plan(current, params)
    after = current if result.compliant else sent(result)
    if after.get("HardExpiry"):
        assert current.get("HardExpiry") or params.get("HardExpiry")


def test_missing_policy_gets_the_whole_target() -> None:
    result = plan({}, {})
    assert request(result) == {name: value for name, value in DEFAULTS.items() if value is not False}


def test_stricter_existing_values_are_kept_and_the_note_lists_only_real_changes() -> None:
    current = {
        "MinimumPasswordLength": 20,
        "MaxPasswordAge": 30,
        "PasswordReusePrevention": 24,
        "HardExpiry": True,
        **dict.fromkeys(REQUIREMENTS, True),
        "RequireSymbols": False,
    }
    result = plan(current, {})
    assert [change.describe() for change in result.changes] == ["RequireSymbols: false → true"]
    assert request(result)["MinimumPasswordLength"] == 20 and request(result)["MaxPasswordAge"] == 30
    assert request(result)["HardExpiry"] is True


def test_every_field_changed_is_named_before_and_after() -> None:
    current = {
        "MinimumPasswordLength": 8,
        "RequireNumbers": True,
        "MaxPasswordAge": 180,
        "PasswordReusePrevention": 5,
    }
    described = [change.describe() for change in plan(current, {"MinimumPasswordLength": 16}).changes]
    assert described == [
        "MinimumPasswordLength: 8 → 16",
        "RequireUppercaseCharacters: none → true",
        "RequireLowercaseCharacters: none → true",
        "RequireSymbols: none → true",
        "MaxPasswordAge: 180 → 90",
        "PasswordReusePrevention: 5 → 24",
    ]


@given(current_policies, rule_parameters)
def test_users_may_change_their_password_stays_the_accounts_choice(
    current: dict[str, Any], params: dict[str, Any]
) -> None:
    """No password control asks for it, and `false` is no weaker: kept unless the rule names it."""
    merged = merge(current, {**DEFAULTS, **params})
    assert merged[OWNERS_CHOICE] == bool(params.get(OWNERS_CHOICE, current.get(OWNERS_CHOICE, False)))


def test_an_administrators_false_is_kept() -> None:
    result = plan({"MinimumPasswordLength": 8, OWNERS_CHOICE: False}, {})
    assert OWNERS_CHOICE not in {change.field for change in result.changes}
    assert not request(result).get(OWNERS_CHOICE)  # omitted or false: AWS keeps it false
