"""Install the AWS test doubles into moto itself, so in-process and server mode behave the same.

The doubles are patched in on moto's *server side* (URL table, response class, backend class)
rather than stubbed on a boto3 client, so the code under test makes real signed HTTP calls that
go through botocore's serialisation and error parsing, with ``mock_aws`` in-process and with a
``ThreadedMotoServer`` alike. How moto dispatches, and why each patch is where it is:

* moto finds the handler for a URL in ``moto.<service>.urls.url_paths``. In-process, the
  botocore stubber reads ``backend.urls``, which re-reads that dict on every request; the server
  builds its Flask routes from it when the service's app is created, i.e. on the first request
  to a server. So install before starting a server (``localaws.server`` does).
* For rest-json services (Security Hub) moto derives the action from the HTTP method and path
  using the botocore model's ``requestUri`` (``BaseResponse._get_action``); for json services
  (Config) from ``X-Amz-Target``. ``call_action`` then calls the response-class method named
  after the action in snake case, so each double is a function set as that attribute.
* ``ServiceException`` errors are serialised via the botocore model, which supplies the status
  code (``InvalidInputException`` 400, ``ResourceConflictException`` 409, ...).

The backend functions are also attached to the backend classes (``backend.batch_update_findings``
etc.) for tests that seed or inspect state without HTTP.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import moto.guardduty.urls
import moto.securityhub.urls
from moto.awslambda.models import LambdaBackend
from moto.awslambda.policy import Policy
from moto.awslambda.responses import LambdaResponse
from moto.cloudtrail.models import CloudTrailBackend
from moto.config.models import ConfigBackend
from moto.config.responses import ConfigResponse
from moto.ec2.models import EC2Backend
from moto.ec2.responses import EC2Response
from moto.guardduty.responses import GuardDutyResponse
from moto.kms.responses import KmsResponse
from moto.s3.models import FakeBucket
from moto.securityhub.models import SecurityHubBackend
from moto.securityhub.responses import SecurityHubResponse

from localaws.doubles import (
    cloudtrail_trails,
    config_double,
    dynamodb_atomic,
    ec2_instance_metadata,
    ec2_snapshots,
    guardduty_detector,
    kms_rotation,
    lambda_policy,
    rds_double,
    s3_logging_target,
    securityhub_actions,
    securityhub_findings,
    securityhub_ocsf,
)

#: Paths from the botocore model (``requestUri``) that moto 5.x does not route. The greedy
#: ``{ActionTargetArn+}`` label needs a named group so the server turns it into a Flask regex rule.
SECURITYHUB_URL_PATHS: dict[str, Callable[..., Any]] = {
    "{0}/findings/batchupdate$": SecurityHubResponse.dispatch,
    "{0}/findingsv2$": SecurityHubResponse.dispatch,
    "{0}/findingsv2/batchupdatev2$": SecurityHubResponse.dispatch,
    "{0}/actionTargets$": SecurityHubResponse.dispatch,
    "{0}/actionTargets/get$": SecurityHubResponse.dispatch,
    "{0}/actionTargets/(?P<ActionTargetArn>.+)$": SecurityHubResponse.dispatch,
}
SECURITYHUB_RESPONSES: dict[str, Callable[[SecurityHubResponse], str]] = {
    "batch_update_findings": securityhub_findings.respond_batch_update_findings,
    "get_findings": securityhub_findings.respond_get_findings,
    "batch_update_findings_v2": securityhub_ocsf.respond_batch_update_findings_v2,
    "get_findings_v2": securityhub_ocsf.respond_get_findings_v2,
    "create_action_target": securityhub_actions.respond_create_action_target,
    "describe_action_targets": securityhub_actions.respond_describe_action_targets,
    "update_action_target": securityhub_actions.respond_update_action_target,
    "delete_action_target": securityhub_actions.respond_delete_action_target,
}
SECURITYHUB_BACKEND_METHODS: dict[str, Callable[..., Any]] = {
    "batch_update_findings": securityhub_findings.batch_update_findings,
    "get_findings": securityhub_findings.get_findings,
    "batch_update_findings_v2": securityhub_ocsf.batch_update_findings_v2,
    "get_findings_v2": securityhub_ocsf.get_findings_v2,
    "create_action_target": securityhub_actions.create_action_target,
    "describe_action_targets": securityhub_actions.describe_action_targets,
    "update_action_target": securityhub_actions.update_action_target,
    "delete_action_target": securityhub_actions.delete_action_target,
}
CONFIG_RESPONSES: dict[str, Callable[[ConfigResponse], str]] = {
    "start_config_rules_evaluation": config_double.respond_start_config_rules_evaluation,
}
CONFIG_BACKEND_METHODS: dict[str, Callable[..., Any]] = {
    "start_config_rules_evaluation": config_double.start_config_rules_evaluation,
}
#: EC2 (query protocol): moto's response class calls these backend methods; only their behaviour differs.
EC2_BACKEND_METHODS: dict[str, Callable[..., Any]] = {
    "modify_instance_metadata_options": ec2_instance_metadata.modify_instance_metadata_options,
}
#: Calls moto answers, but unlike AWS in a way a remediation depends on (query protocol: by Action).
EC2_RESPONSES: dict[str, Callable[[EC2Response], Any]] = {
    "describe_snapshots": ec2_snapshots.respond_describe_snapshots,
}

_install_lock = threading.Lock()
_installed = False


def install_aws_doubles() -> None:
    """Patch the doubles into moto; idempotent and thread-safe, and never undone (moto is test-only)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        # Config (json protocol) is served from its single "/" path: only methods are missing.
        moto.securityhub.urls.url_paths.update(SECURITYHUB_URL_PATHS)
        moto.guardduty.urls.url_paths.update(guardduty_detector.GUARDDUTY_URL_PATHS)
        patches: list[tuple[type, dict[str, Callable[..., Any]]]] = [
            (SecurityHubResponse, SECURITYHUB_RESPONSES),
            (SecurityHubBackend, SECURITYHUB_BACKEND_METHODS),
            (ConfigResponse, CONFIG_RESPONSES),
            (ConfigBackend, CONFIG_BACKEND_METHODS),
            (EC2Backend, EC2_BACKEND_METHODS),
            (EC2Response, EC2_RESPONSES),
            (LambdaResponse, lambda_policy.LAMBDA_RESPONSES),
            (LambdaBackend, lambda_policy.LAMBDA_BACKEND_METHODS),
            (Policy, lambda_policy.LAMBDA_POLICY_METHODS),
            (KmsResponse, kms_rotation.KMS_RESPONSES),
            (GuardDutyResponse, guardduty_detector.GUARDDUTY_RESPONSES),
            (CloudTrailBackend, cloudtrail_trails.CLOUDTRAIL_BACKEND_METHODS),
            (FakeBucket, s3_logging_target.S3_BUCKET_METHODS),
        ]
        for cls, methods in patches:
            for name, function in methods.items():
                setattr(cls, name, function)
        rds_double.install()
        dynamodb_atomic.install()
        _installed = True
