"""Tests for the EventBridge pattern-matcher test double.

Cases marked with a page name are the examples printed in the Amazon EventBridge User Guide
(https://docs.aws.amazon.com/eventbridge/latest/userguide/<page>). Events are built inline on purpose:
this file tests a generic matcher, not the engine, so it does not use the `events/` fixtures.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from localaws.event_patterns import InvalidPatternError, matches, validate_pattern

EC2_STATE_CHANGE: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}


def _detail(**fields: Any) -> dict[str, Any]:
    return {"source": "aws.ec2", "detail": fields}


# --- eb-event-patterns.html / eb-create-pattern.html -------------------------------------------


def test_ec2_termination_pattern_from_event_patterns_page() -> None:
    pattern = {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
        "detail": {"state": ["terminated"]},
    }
    assert matches(pattern, EC2_STATE_CHANGE)
    assert not matches(pattern, {**EC2_STATE_CHANGE, "detail": {"state": "running"}})
    assert not matches(pattern, {**EC2_STATE_CHANGE, "source": "aws.fargate"})


def test_field_missing_from_event_does_not_match() -> None:
    assert not matches({"detail": {"state": ["terminated"]}}, {"source": "aws.ec2", "detail": {}})
    assert not matches({"detail": {"state": ["terminated"]}}, {"source": "aws.ec2"})


def test_match_values_list_is_or_from_create_pattern_page() -> None:
    pattern = {"source": ["aws.ec2", "aws.fargate"]}
    assert matches(pattern, {"source": "aws.fargate"})
    assert not matches(pattern, {"source": "aws.s3"})


def test_numbers_match_by_json_representation_from_create_pattern_page() -> None:
    # "For numbers, EventBridge uses string representation. 300, 300.0, and 3.0e2 are not equal."
    assert matches({"detail": {"count": [300]}}, _detail(count=300))
    assert not matches({"detail": {"count": [300]}}, _detail(count=300.0))
    assert not matches({"detail": {"count": [300.0]}}, _detail(count=300))
    assert not matches({"detail": {"count": ["300"]}}, _detail(count=300))
    assert not matches({"detail": {"flag": [1]}}, _detail(flag=True))


def test_strings_match_without_case_folding_from_create_pattern_page() -> None:
    assert not matches({"detail": {"state": ["Terminated"]}}, _detail(state="terminated"))


def test_last_duplicate_key_wins_from_content_filtering_page() -> None:
    pattern = json.loads(
        '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}'
    )
    assert matches(pattern, _detail(location="eu-west"))
    assert not matches(pattern, _detail(location="us-east"))


def test_dot_joined_keys_are_the_same_path_from_create_pattern_page() -> None:
    nested = {"detail": {"state": {"status": ["running"]}}}
    dotted = {"detail": {"state.status": ["running"]}}
    for pattern in (nested, dotted):
        assert matches(pattern, {"detail": {"state": {"status": "running"}}})
        assert matches(pattern, {"detail": {"state.status": "running"}})


def test_macie_value_matching_from_event_patterns_page() -> None:
    event = {
        "source": "aws.macie",
        "detail-type": "Macie Finding",
        "detail": {"severity": {"score": 1, "description": "Low"}, "count": 2},
    }
    pattern = {
        "source": ["aws.macie"],
        "detail-type": ["Macie Finding"],
        "detail": {"severity": {"score": [1]}, "count": [2]},
    }
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "detail": {"severity": {"score": 1}, "count": 3}})


# --- eb-event-patterns-null-values.html --------------------------------------------------------

AUTOSCALING_LAUNCH: dict[str, Any] = {
    "source": "aws.autoscaling",
    "detail-type": "EC2 Instance Launch Successful",
    "resources": [],
    "detail": {"eventVersion": "", "responseElements": None},
}


def test_null_and_empty_string_from_null_values_page() -> None:
    assert matches({"detail": {"responseElements": [None]}}, AUTOSCALING_LAUNCH)
    assert matches({"detail": {"eventVersion": [""]}}, AUTOSCALING_LAUNCH)
    # "Null values and empty strings are not interchangeable in pattern matching."
    assert not matches({"detail": {"responseElements": [""]}}, AUTOSCALING_LAUNCH)
    assert not matches({"detail": {"eventVersion": [None]}}, AUTOSCALING_LAUNCH)


def test_empty_event_array_has_no_values() -> None:
    assert not matches({"resources": [None]}, AUTOSCALING_LAUNCH)
    assert not matches({"resources": [""]}, AUTOSCALING_LAUNCH)


# --- eb-event-patterns-arrays.html -------------------------------------------------------------


def test_array_intersection_from_arrays_page() -> None:
    pattern = {
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
            "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f",
        ]
    }
    event = {
        "resources": [
            "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-"
            "d5978ed4a025:autoScalingGroupName/ASGTerminate",
            "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
        ]
    }
    assert matches(pattern, event)
    assert not matches(pattern, {"resources": [event["resources"][0]]})


def test_fields_inside_array_of_objects_match_any_element() -> None:
    event = {"detail": {"items": [{"name": "a", "size": 1}, {"name": "b", "size": 2}]}}
    assert matches({"detail": {"items": {"name": ["b"]}}}, event)
    assert not matches({"detail": {"items": {"name": ["c"]}}}, event)
    # Each field is checked on its own (the guide promises nothing about the same element).
    assert matches({"detail": {"items": {"name": ["a"], "size": [2]}}}, event)


# --- eb-event-patterns-content-based-filtering.html (comparison operators) ---------------------


def test_prefix_from_content_filtering_page() -> None:
    pattern = {"time": [{"prefix": "2017-10-02"}]}
    assert matches(pattern, {"time": "2017-10-02T18:43:48Z"})
    assert not matches(pattern, {"time": "2017-10-03T18:43:48Z"})
    assert not matches({"detail": {"n": [{"prefix": "1"}]}}, _detail(n=12))


def test_prefix_ignoring_case_from_content_filtering_page() -> None:
    pattern = {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}}
    for service in ("EventBridge", "EVENTBRIDGE", "eventbus"):
        assert matches(pattern, _detail(service=service))
    assert not matches(pattern, _detail(service="SNS"))


def test_suffix_from_content_filtering_page() -> None:
    assert matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "photo.png"})
    assert not matches({"FileName": [{"suffix": ".png"}]}, {"FileName": "photo.PNG"})
    pattern = {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}}
    assert matches(pattern, _detail(FileName="photo.PNG"))
    assert not matches(pattern, _detail(FileName="photo.jpg"))


@pytest.mark.parametrize(
    ("condition", "matching", "excluded"),
    [
        ({"anything-but": "initializing"}, "running", "initializing"),
        ({"anything-but": 123}, 124, 123),
        ({"anything-but": ["stopped", "overloaded"]}, "running", "overloaded"),
        ({"anything-but": [100, 200, 300]}, 301, 200),
        ({"anything-but": {"prefix": "init"}}, "running", "initializing"),
        ({"anything-but": {"prefix": ["init", "stop"]}}, "running", "stopped"),
        ({"anything-but": {"suffix": ".png"}}, "a.jpg", "a.png"),
        ({"anything-but": {"equals-ignore-case": "initializing"}}, "running", "INITIALIZING"),
        ({"anything-but": {"equals-ignore-case": ["stopped", "overloaded"]}}, "running", "Stopped"),
        ({"anything-but": {"wildcard": "*/lib/*"}}, "/usr/bin/x", "/usr/lib/x"),
    ],
)
def test_anything_but_forms_from_content_filtering_page(condition: Any, matching: Any, excluded: Any) -> None:
    pattern = {"detail": {"state": [condition]}}
    assert matches(pattern, _detail(state=matching))
    assert not matches(pattern, _detail(state=excluded))


def test_anything_but_needs_the_field_but_accepts_null_and_other_types() -> None:
    pattern = {"detail": {"state": [{"anything-but": "initializing"}]}}
    assert not matches(pattern, _detail())
    assert matches(pattern, _detail(state=None))
    assert matches(pattern, _detail(state=12))
    assert matches({"detail": {"state": [{"anything-but": {"prefix": "init"}}]}}, _detail(state=None))


def test_numeric_from_content_filtering_page() -> None:
    pattern = {
        "detail": {
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"numeric": ["=", 3.018e2]}],
        }
    }
    assert matches(pattern, _detail(**{"c-count": 5, "d-count": 3, "x-limit": 301.8}))
    assert not matches(pattern, _detail(**{"c-count": 0, "d-count": 3, "x-limit": 301.8}))
    assert not matches(pattern, _detail(**{"c-count": 5, "d-count": 10, "x-limit": 301.8}))
    assert not matches(pattern, _detail(**{"c-count": "5", "d-count": 3, "x-limit": 301.8}))
    assert matches({"detail": {"n": [{"numeric": [">=", 300]}]}}, _detail(n=300.0))


def test_cidr_from_content_filtering_page() -> None:
    pattern = {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}}
    assert matches(pattern, _detail(sourceIPAddress="10.0.0.255"))
    assert not matches(pattern, _detail(sourceIPAddress="10.0.1.0"))
    assert not matches(pattern, _detail(sourceIPAddress="not-an-ip"))
    assert matches({"detail": {"ip": [{"cidr": "2001:db8::/32"}]}}, _detail(ip="2001:db8::1"))


def test_exists_from_content_filtering_page() -> None:
    has_state = {"detail": {"state": [{"exists": True}]}}
    no_c_count = {"detail": {"c-count": [{"exists": False}]}}
    assert matches(has_state, {"detail": {"instance-id": "i-abcd1111", "state": "pending"}})
    assert not matches(has_state, {"detail": {"c-count": {"c1": 100}}})
    assert matches(no_c_count, {"detail": {"state": ["initializing", "running"]}})
    # "Exists matching only works on leaf nodes": an object-valued c-count is not a leaf.
    assert matches(no_c_count, {"detail": {"state": ["running"], "c-count": {"c1": 100}}})
    assert not matches({"detail": {"c-count": [{"exists": True}]}}, {"detail": {"c-count": {"c1": 1}}})
    assert not matches(no_c_count, {"detail": {"c-count": 0}})


def test_exists_on_null_and_empty_array() -> None:
    assert matches({"detail": {"a": [{"exists": True}]}}, _detail(a=None))
    assert matches({"detail": {"a": [{"exists": False}]}}, _detail(a=[]))


def test_equals_ignore_case_from_content_filtering_page() -> None:
    pattern = {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}
    assert matches(pattern, EC2_STATE_CHANGE)
    assert not matches(pattern, {"detail-type": "EC2 Instance Launch Successful"})


def test_wildcard_from_content_filtering_page() -> None:
    pattern = {"detail": {"FileName": [{"wildcard": "dir/*.png"}]}}
    assert matches(pattern, _detail(FileName="dir/a.png"))
    assert matches(pattern, _detail(FileName="dir/sub/a.png"))
    assert not matches(pattern, _detail(FileName="other/a.png"))
    escaped = {"detail": {"name": [{"wildcard": "a\\*b"}]}}
    assert matches(escaped, _detail(name="a*b"))
    assert not matches(escaped, _detail(name="axb"))


def test_complex_example_from_content_filtering_page() -> None:
    pattern = {
        "time": [{"prefix": "2017-10-02"}],
        "detail": {
            "state": [{"anything-but": "initializing"}],
            "c-count": [{"numeric": [">", 0, "<=", 5]}],
            "d-count": [{"numeric": ["<", 10]}],
            "x-limit": [{"anything-but": [100, 200, 300]}],
        },
    }
    detail = {"state": "running", "c-count": 5, "d-count": 3, "x-limit": 301.8}
    assert matches(pattern, {"time": "2017-10-02T16:24:49Z", "detail": detail})
    assert not matches(pattern, {"time": "2017-10-02T16:24:49Z", "detail": {**detail, "x-limit": 200}})


def test_or_example_from_content_filtering_page() -> None:
    pattern = {
        "detail": {
            "$or": [
                {"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                {"d-count": [{"numeric": ["<", 10]}]},
                {"x-limit": [{"numeric": ["=", 3.018e2]}]},
            ]
        }
    }
    assert matches(pattern, _detail(**{"c-count": 9, "d-count": 9}))
    assert matches(pattern, _detail(**{"x-limit": 301.8}))
    assert not matches(pattern, _detail(**{"c-count": 9, "d-count": 10, "x-limit": 1}))


def test_or_with_more_than_1000_combinations_is_invalid() -> None:
    ten_way = {"$or": [{f"k{i}": ["v"]} for i in range(10)]}
    validate_pattern({"a": ten_way, "b": ten_way, "c": ten_way})  # exactly 1000
    with pytest.raises(InvalidPatternError, match="1000"):
        validate_pattern({"a": ten_way, "b": ten_way, "c": ten_way, "d": {"$or": [{"x": [1]}, {"y": [2]}]}})


# --- Security Hub and Config shaped cases ------------------------------------------------------

FINDING_ID = (
    "arn:aws:securityhub:eu-west-1:222222222222:security-control/S3.8/finding/"
    "0f0e0d0c-0000-4000-8000-000000000000"
)


def _imported(**finding: Any) -> dict[str, Any]:
    base = {
        "Id": FINDING_ID,
        "ProductArn": "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
        "GeneratorId": "security-control/S3.8",
        "Compliance": {"Status": "FAILED", "SecurityControlId": "S3.8"},
        "Workflow": {"Status": "NEW"},
        "RecordState": "ACTIVE",
        "ProductFields": {"aws/securityhub/FindingId": FINDING_ID, "ControlId": "S3.8"},
        "Resources": [{"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::example-bucket"}],
    }
    return {
        "source": "aws.securityhub",
        "detail-type": "Security Hub Findings - Imported",
        "resources": [f"arn:aws:securityhub:eu-west-1::product/aws/securityhub/{FINDING_ID}"],
        "detail": {"findings": [{**base, **finding}]},
    }


IMPORTED_PATTERN = {
    "source": ["aws.securityhub"],
    "detail-type": ["Security Hub Findings - Imported"],
    "detail": {
        "findings": {
            "Compliance": {"Status": ["FAILED"], "SecurityControlId": ["S3.1", "S3.8"]},
            "RecordState": ["ACTIVE"],
            "Workflow": {"Status": ["NEW", "NOTIFIED"]},
        }
    },
}


def test_security_hub_pattern_looks_inside_the_findings_list() -> None:
    assert matches(IMPORTED_PATTERN, _imported())
    assert matches(IMPORTED_PATTERN, _imported(Workflow={"Status": "NOTIFIED"}))
    assert not matches(IMPORTED_PATTERN, _imported(Workflow={"Status": "RESOLVED"}))
    assert not matches(
        IMPORTED_PATTERN, _imported(Compliance={"Status": "PASSED", "SecurityControlId": "S3.8"})
    )
    assert not matches(IMPORTED_PATTERN, _imported(Compliance={"Status": "FAILED"}))


def test_product_fields_key_with_slash_is_an_ordinary_key() -> None:
    pattern = {"detail": {"findings": {"ProductFields": {"aws/securityhub/FindingId": [FINDING_ID]}}}}
    assert matches(pattern, _imported())
    assert not matches(pattern, _imported(ProductFields={"aws/securityhub/FindingId": "other"}))


def test_or_between_security_control_id_and_product_fields_control_id() -> None:
    pattern = {
        "detail": {
            "findings": {
                "$or": [
                    {"Compliance": {"SecurityControlId": ["S3.8"]}},
                    {"ProductFields": {"ControlId": ["PCI.S3.1", "S3.8"]}},
                ]
            }
        }
    }
    assert matches(pattern, _imported())
    assert matches(pattern, _imported(Compliance={"Status": "FAILED"}))  # GovCloud-style, no control id
    assert matches(pattern, _imported(ProductFields={}))
    assert not matches(pattern, _imported(Compliance={"Status": "FAILED"}, ProductFields={"ControlId": "X"}))


def test_config_rule_name_prefix() -> None:
    pattern = {
        "source": ["aws.config"],
        "detail-type": ["Config Rules Compliance Change"],
        "detail": {
            "messageType": ["ComplianceChangeNotification"],
            "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
            "configRuleName": [
                {"prefix": "securityhub-iam-password-policy-"},
                {"prefix": "securityhub-restricted-ssh-"},
            ],
        },
    }
    event: dict[str, Any] = {
        "source": "aws.config",
        "detail-type": "Config Rules Compliance Change",
        "resources": [],
        "detail": {
            "configRuleName": "securityhub-restricted-ssh-1a2b3c4d",
            "messageType": "ComplianceChangeNotification",
            "newEvaluationResult": {"complianceType": "NON_COMPLIANT"},
        },
    }
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "detail": {**event["detail"], "configRuleName": "restricted-ssh"}})
    compliant = {**event["detail"], "newEvaluationResult": {"complianceType": "COMPLIANT"}}
    assert not matches(pattern, {**event, "detail": compliant})


def test_custom_action_target_arn_in_resources() -> None:
    target = "arn:aws:securityhub:us-east-1:111111111111:action/custom/Remediate"
    pattern = {
        "source": ["aws.securityhub"],
        "detail-type": ["Security Hub Findings - Custom Action"],
        "resources": [target],
    }
    event = {**_imported(), "detail-type": "Security Hub Findings - Custom Action", "resources": [target]}
    assert matches(pattern, event)
    assert not matches(pattern, {**event, "resources": [target.replace("Remediate", "Other")]})


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern",
    [
        [],
        {},
        {"source": "aws.ec2"},
        {"source": []},
        {"source": [["aws.ec2"]]},
        {"detail": {}},
        {"source": [{"contains": "ec2"}]},
        {"source": [{"prefix": "a", "suffix": "b"}]},
        {"source": [{"prefix": 1}]},
        {"source": [{"prefix": {"anything-but": "x"}}]},
        {"source": [{"equals-ignore-case": ["a"]}]},
        {"source": [{"wildcard": "a**b"}]},
        {"source": [{"wildcard": "a\\b"}]},
        {"source": [{"wildcard": "trailing\\"}]},
        {"n": [{"numeric": [[">"], 1]}]},
        {"s": [{"anything-but": [float("inf")]}]},
        {"n": [{"numeric": ["<", "10"]}]},
        {"n": [{"numeric": ["!=", 1]}]},
        {"n": [{"numeric": ["<", 1, ">", 0]}]},
        {"n": [{"numeric": [">", 5, "<", 5]}]},
        {"n": [{"numeric": ["=", 1, "<", 2]}]},
        {"n": [{"numeric": ["<", 6.0e9]}]},
        {"n": [float("nan")]},
        {"f": [{"exists": "true"}]},
        {"ip": [{"cidr": "10.0.0.0/33"}]},
        {"ip": [{"cidr": 10}]},
        {"s": [{"anything-but": None}]},
        {"s": [{"anything-but": ["a", 1]}]},
        {"s": [{"anything-but": ["a", None]}]},
        {"s": [{"anything-but": []}]},
        {"s": [{"anything-but": {"prefix": ""}}]},
        {"s": [{"anything-but": {"numeric": [">", 1]}}]},
        {"s": [{"anything-but": {"prefix": {"equals-ignore-case": "a"}}}]},
        {"$or": [{"a": ["1"]}]},
        {"$or": {"a": ["1"], "b": ["2"]}},
        {"$or": [{"a": ["1"]}, "b"]},
        {"detail": {"$or": [{"a": ["1"]}, {}]}},
    ],
)
def test_malformed_patterns_are_rejected(pattern: Any) -> None:
    with pytest.raises(InvalidPatternError):
        validate_pattern(pattern)


def test_matches_refuses_a_malformed_pattern_instead_of_returning_false() -> None:
    with pytest.raises(InvalidPatternError):
        matches({"source": "aws.ec2"}, EC2_STATE_CHANGE)
    assert issubclass(InvalidPatternError, ValueError)


# --- properties --------------------------------------------------------------------------------

KEYS = st.text(alphabet="abcdefgh", min_size=1, max_size=4)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=3),
    max_leaves=12,
)
EVENTS = st.dictionaries(KEYS, JSON_VALUES, min_size=1, max_size=4)


def _mirror(value: Any) -> Any:
    """A pattern made of the event's own leaf values; None where the event has no leaf."""
    if isinstance(value, dict):
        pattern = {key: sub for key, child in value.items() if (sub := _mirror(child)) is not None}
        return pattern or None
    if isinstance(value, list):
        scalars = [v for v in value if not isinstance(v, dict | list)]
        if scalars:
            return scalars
        return next((sub for child in value if (sub := _mirror(child)) is not None), None)
    return [value]


@given(EVENTS)
def test_pattern_built_from_event_leaf_values_matches(event: dict[str, Any]) -> None:
    pattern = _mirror(event)
    assume(pattern is not None)
    validate_pattern(pattern)
    assert matches(pattern, event)


@given(st.text(max_size=8) | st.integers() | st.floats(allow_nan=False, allow_infinity=False))
def test_anything_but_never_matches_its_own_value(value: Any) -> None:
    assert not matches({"f": [{"anything-but": [value]}]}, {"f": value})
    assert not matches({"f": [{"anything-but": value}]}, {"f": value})


@given(st.text(max_size=8), st.text(max_size=8))
def test_anything_but_matches_every_other_string(excluded: str, value: str) -> None:
    assert matches({"f": [{"anything-but": excluded}]}, {"f": value}) == (value != excluded)


@given(st.text(max_size=8), st.text(max_size=8))
def test_prefix_and_suffix_agree_with_str_methods(argument: str, value: str) -> None:
    assert matches({"f": [{"prefix": argument}]}, {"f": value}) == value.startswith(argument)
    assert matches({"f": [{"suffix": argument}]}, {"f": value}) == value.endswith(argument)


@given(st.text(alphabet="ab.?[", max_size=6), st.text(alphabet="ab.?[", max_size=6))
def test_wildcard_without_star_is_exact_and_lone_star_matches_everything(literal: str, value: str) -> None:
    assert matches({"f": [{"wildcard": literal}]}, {"f": value}) == (literal == value)
    assert matches({"f": [{"wildcard": "*"}]}, {"f": value})


@given(
    st.integers(-1000, 1000),
    st.integers(-1000, 1000),
    st.floats(-2000, 2000, allow_nan=False),
)
def test_numeric_range_is_an_interval(low: int, high: int, value: float) -> None:
    assume(low < high)
    pattern = {"f": [{"numeric": [">", low, "<=", high]}]}
    assert matches(pattern, {"f": value}) == (low < value <= high)


@given(EVENTS, EVENTS)
def test_or_is_the_disjunction_of_its_branches(left: dict[str, Any], right: dict[str, Any]) -> None:
    first, second = _mirror(left), _mirror(right)
    assume(first is not None and second is not None)
    either = {"$or": [first, second]}
    assert matches(either, left) == (matches(first, left) or matches(second, left))
    assert matches(either, left)
