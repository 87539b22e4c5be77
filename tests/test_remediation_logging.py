"""S3.9 / CloudTrail.7 (access logging) and CloudTrail.2 (trail key): properties over every state.

Never weaken, never replace: a bucket that logs keeps its target and prefix, a trail with a key
keeps it, whatever they are; otherwise one request names exactly the resource read and the
destination given, nothing else. A bucket never logs to itself. A revert undoes only what reads
as the fix left it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from model.errors import RevertConflictError, UnsupportedResourceError
from remediations import catalog
from remediations.cases import ACCOUNT

LOGGING = catalog()["s3.enable-server-access-logging"]
ENCRYPTION = catalog()["cloudtrail.encrypt-trail-logs"]
buckets = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=3, max_size=30)
prefixes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/", max_size=20)
keys = st.from_regex(r"arn:aws:kms:us-east-1:[0-9]{12}:key/[a-f0-9-]{8,36}", fullmatch=True)
logging_states = st.one_of(
    st.none(), st.fixed_dictionaries({"TargetBucket": buckets, "TargetPrefix": prefixes})
)


@given(bucket=buckets, logging=logging_states, target=buckets)
def test_logging_keeps_a_target_and_otherwise_sends_only_the_destination(
    bucket: str, logging: dict[str, str] | None, target: str
) -> None:
    state = {"Bucket": bucket, "ExpectedBucketOwner": ACCOUNT, "LoggingEnabled": logging}
    try:
        plan = LOGGING.plan(state, {"log_bucket": target})
    except UnsupportedResourceError:
        assert logging is None and target == bucket  # a bucket never logs to itself
        return
    if logging:
        assert plan.compliant and plan.after == state
        return
    (call,) = plan.calls
    assert dict(call.params) == {
        "Bucket": bucket,
        "ExpectedBucketOwner": ACCOUNT,
        "BucketLoggingStatus": {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": f"{bucket}/"}},
    }
    assert target != bucket


@given(key=st.one_of(st.none(), keys), given_key=keys)
def test_a_trail_keeps_its_key_and_otherwise_gets_only_the_destination(
    key: str | None, given_key: str
) -> None:
    state = {"TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/t", "KmsKeyId": key}
    plan = ENCRYPTION.plan(state, {"kms_key_id": given_key})
    if key:
        assert plan.compliant and plan.after == state
        return
    (call,) = plan.calls
    assert dict(call.params) == {"Name": state["TrailARN"], "KmsKeyId": given_key}


@pytest.mark.parametrize(
    ("remediation", "field", "left", "other"),
    [
        (
            LOGGING,
            "LoggingEnabled",
            {"TargetBucket": "logs", "TargetPrefix": "b/"},
            {"TargetBucket": "x", "TargetPrefix": ""},
        ),
        (
            ENCRYPTION,
            "KmsKeyId",
            "arn:aws:kms:us-east-1:123456789012:key/a",
            "arn:aws:kms:us-east-1:123456789012:key/b",
        ),
    ],
    ids=["logging", "trail-key"],
)
def test_a_revert_undoes_only_what_reads_as_the_fix_left_it(
    remediation: Any, field: str, left: Any, other: Any
) -> None:
    @given(current=st.sampled_from([None, left, other]), force=st.booleans())
    def check(current: Any, force: bool) -> None:
        base = {"Bucket": "b", "ExpectedBucketOwner": ACCOUNT, "TrailARN": "t"}
        before, after, now = {**base, field: None}, {**base, field: left}, {**base, field: current}
        try:
            plan = remediation.undo(now, before, after, force=force)
        except RevertConflictError:
            assert current == other and not force
            return
        assert plan.after[field] is None
        assert len(plan.calls) == (0 if current is None else 1)

    check()
