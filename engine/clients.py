"""AWS clients per account and region, created on first use and reused.

In an aggregating administrator account, findings come from member accounts and other
regions: the engine acts in the finding's account by assuming the member role, and reuses
one session per account for the whole life of the execution environment (credentials are
refreshed by botocore when they near expiry).

Clients come from botocore's session directly: they are the very objects boto3's
`Session.client` returns (boto3 passes its arguments through to `create_client`), and the
engine uses nothing of boto3's resource layer or S3 transfer methods, whose import (`boto3`
pulls in `s3transfer` and `multiprocessing`) is about a tenth of a bare `import boto3` process.
A boto3 Session given by a test or a tool is used through the botocore session under it, so the
event hooks registered on it see every call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError
from botocore.session import Session as BotocoreSession

from engine.deadline import DeadlineHolder
from model.errors import RemediationFailedError

if TYPE_CHECKING:
    import boto3

#: Retries after a call's first attempt: in a client's Config, botocore's `max_attempts` counts
#: retries (it becomes `total_max_attempts` = 6), so a call is tried at most 6 times.
MAX_RETRIES = 5
#: Throttling and transient faults are retried by botocore with backoff and jitter.
RETRY_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": MAX_RETRIES},
    connect_timeout=5,
    read_timeout=10,  # engine.deadline budgets one attempt at connect + read timeout
    user_agent_extra="sechub-remediator",
)
ROLE_SESSION_NAME = "sechub-remediator"


class ClientFactory:
    """Hands out clients for (service, account, region); assumes `member_role_name` in other accounts."""

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        member_role_name: str = "",
        home_account_id: str = "",
        config: Config = RETRY_CONFIG,
        endpoint_url: str | None = None,
    ) -> None:
        self._given_session = session
        self._core: BotocoreSession | None = None  # created on first use: it costs ~20 ms of a cold start
        #: every client, in every account, goes here when set (a moto server); None: AWS's own endpoints
        self._endpoint_url = endpoint_url
        self._member_role_name = member_role_name
        self._home_account_id = home_account_id
        self._config = config
        self._sessions: dict[str, BotocoreSession] = {}
        self._clients: dict[tuple[str, str, str, bool], Any] = {}
        #: the running invocation's time budget, checked before every attempt of every client
        self.deadline = DeadlineHolder()
        # Clients are thread-safe, sessions are not: create under a lock (a sweep uses threads).
        self._lock = threading.RLock()

    def client(self, service: str, account_id: str, region: str, *, home: bool = False) -> Any:
        """A client in `account_id`; `home`: for the stack's own resources, allowed to flush later."""
        key = (service, account_id, region, home)
        if key in self._clients:
            return self._clients[key]
        with self._lock:
            if key not in self._clients:
                made = self.session_for(account_id).create_client(
                    service,
                    region_name=region,
                    config=self._config,
                    endpoint_url=self._endpoint_url,
                )
                # First, so no stub or local double answers a call the deadline refuses; before-call
                # is checked once a call, before-send once each attempt (retries included).
                for event in ("before-call", "before-send"):
                    made.meta.events.register_first(event, self.deadline.hook(home=home))
                self._clients[key] = made
        return self._clients[key]

    def home_client(self, service: str, region: str) -> Any:
        """A client for the stack's own table, topic and findings, in the administrator account."""
        return self.client(service, self.home_account_id, region, home=True)

    @property
    def session(self) -> boto3.Session:
        """The home session as boto3's (tests and tools register botocore event hooks on it).

        Without a given one, a boto3 Session over the engine's own botocore session: boto3 is
        imported only by whoever asks for it here, never by the deployed function.
        """
        if self._given_session is None:
            import boto3

            with self._lock:
                self._given_session = self._given_session or boto3.Session(botocore_session=self._session)
        return self._given_session

    @property
    def _session(self) -> BotocoreSession:
        if self._core is None:
            with self._lock:
                if self._core is None:
                    given = self._given_session
                    self._core = given._session if given is not None else BotocoreSession()
        return self._core

    @property
    def home_region(self) -> str:
        """The region the engine itself runs in (Lambda sets AWS_REGION; botocore reads it)."""
        return str(self._session.get_config_variable("region") or "us-east-1")

    @property
    def home_account_id(self) -> str:
        if not self._home_account_id:
            self._home_account_id = self._home_sts().get_caller_identity()["Account"]
        return self._home_account_id

    def _home_sts(self) -> Any:
        """STS with the home credentials: who they are, and the member roles they assume."""
        return self._session.create_client(
            "sts", region_name=self.home_region, config=self._config, endpoint_url=self._endpoint_url
        )

    def session_for(self, account_id: str) -> BotocoreSession:
        """The home session for our own account, an assumed-role session for a member.

        Without a member role there is no way into another account: asking for one is an error
        (`NoMemberRole`), never the home credentials acting on what a finding names there (an
        account-level setting would be changed in the wrong account).
        """
        if account_id == self.home_account_id:
            return self._session
        if not self._member_role_name:
            raise RemediationFailedError(
                f"the finding is in account {account_id}, this is {self.home_account_id} and no member "
                "role is configured (MEMBER_ROLE_NAME): nothing was changed",
                error_code="NoMemberRole",
                operation="AssumeRole",
            )
        with self._lock:
            if account_id not in self._sessions:
                self._sessions[account_id] = self._assumed_session(account_id)
            return self._sessions[account_id]

    def _assumed_session(self, account_id: str) -> BotocoreSession:
        partition = self._session.get_partition_for_region(self.home_region)
        role_arn = f"arn:{partition}:iam::{account_id}:role/{self._member_role_name}"
        refresher = _assume_role_refresher(self._home_sts(), role_arn)
        try:  # assume now, so a role that cannot be assumed fails here with a clear message
            metadata = refresher()
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            raise RemediationFailedError(
                f"cannot assume {role_arn}: {error}", error_code=code, operation="AssumeRole"
            ) from error
        credentials = RefreshableCredentials.create_from_metadata(metadata, refresher, "assume-role")
        botocore_session = BotocoreSession()
        botocore_session._credentials = credentials  # type: ignore[attr-defined]  # botocore's own refreshable-credentials hook
        botocore_session.set_config_variable("region", self.home_region)
        return botocore_session


def _assume_role_refresher(sts: Any, role_arn: str) -> Callable[[], dict[str, str]]:
    """Fresh credentials of `role_arn` in the form botocore's RefreshableCredentials expects."""

    def refresh() -> dict[str, str]:
        credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=ROLE_SESSION_NAME)["Credentials"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": credentials["Expiration"].isoformat(),
        }

    return refresh
