"""The Block Public Access merge and revert both BPA remediations share, over every flag combination."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from botocore.exceptions import ClientError

from model.errors import RevertConflictError
from remediations.public_access_block import FLAGS, keeps, plan_all_flags_on, read_flags, revert_flags

COMBINATIONS = list(itertools.product([False, True], repeat=4))


@pytest.mark.parametrize("flags", COMBINATIONS)
def test_only_ever_switches_flags_on(flags: tuple[bool, ...]) -> None:
    state = {"Bucket": "b", **dict(zip(FLAGS, flags, strict=True))}
    result = plan_all_flags_on(state)
    assert keeps(state, result.after)
    if all(flags):
        assert result.compliant
        return
    [call] = result.calls
    assert call.method == "put_public_access_block"
    assert call.params == {"Bucket": "b", "PublicAccessBlockConfiguration": dict.fromkeys(FLAGS, True)}
    assert [c.field for c in result.changes] == [flag for flag in FLAGS if not state[flag]]


@pytest.mark.parametrize("flags", COMBINATIONS)
def test_revert_switches_off_exactly_what_the_fix_switched_on(flags: tuple[bool, ...]) -> None:
    before = {"AccountId": "1", **dict(zip(FLAGS, flags, strict=True))}
    after = plan_all_flags_on(before).after
    back = revert_flags(after, before, force=False)
    assert {flag: back.after[flag] for flag in FLAGS} == {flag: before[flag] for flag in FLAGS}
    if not any(flags):
        assert [call.method for call in back.calls] == ["delete_public_access_block"]


def test_revert_refuses_a_flag_someone_switched_off_since() -> None:
    before = {"Bucket": "b", **dict.fromkeys(FLAGS, False)}
    current = {**before, "BlockPublicAcls": True}
    with pytest.raises(RevertConflictError):
        revert_flags(current, before, force=False)
    assert [c.field for c in revert_flags(current, before, force=True).changes] == ["BlockPublicAcls"]


def refusal(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetPublicAccessBlock")


def test_missing_configuration_reads_as_all_off_and_other_errors_propagate() -> None:
    def missing() -> dict[str, Any]:
        raise refusal("NoSuchPublicAccessBlockConfiguration")

    def denied() -> dict[str, Any]:
        raise refusal("AccessDenied")

    assert read_flags(missing) == dict.fromkeys(FLAGS, False)
    with pytest.raises(ClientError):
        read_flags(denied)
    assert read_flags(lambda: {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True}}) == {
        **dict.fromkeys(FLAGS, False),
        "BlockPublicAcls": True,
    }
