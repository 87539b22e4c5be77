"""IAM users with old or unused credentials, for the IAM.3 / IAM.8 / IAM.22 cases and events.

AWS sets a key's `CreateDate` and `LastUsedDate` (and a password's) itself, and so does moto:
no API backdates them. A user with a 120-day-old key is made through the API and then aged in
moto's own backend, so these builders work with in-process moto (`mock_aws`) only. moto's
`GetLoginProfile` answers the user's `CreateDate` for the password's, so a password is aged
with its user; `PasswordLastUsed`, which moto returns once set but never sets (nobody signs in
to its console), is set here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from localaws.estate.names import ACCOUNT
from localaws.sessions import default_session

#: The user the IAM sample events name, by ARN (Security Hub) and by a placeholder unique id (Config).
CASE_USER = "case-user"
USER_ID_PLACEHOLDER = "AIDAZ4EXAMPLEUSER1234"


def create_user_with_credentials(
    session: Any = None,
    name: str = CASE_USER,
    *,
    key_ages: Sequence[int] = (120,),
    key_last_used: Sequence[int | None] = (),
    password: bool = False,
    password_last_used: int | None = None,
    user_age: int = 0,
) -> str:
    """Create `name` with one active key per age in days (created that long ago) and return its ARN.

    `key_last_used[i]`: days since key i was last used (None or absent: never used). `password`
    gives it a console password, as old as the user (`user_age` days), last used
    `password_last_used` days ago (None: never).
    """
    session = session or default_session()
    iam = session.client("iam")
    arn: str = iam.create_user(UserName=name)["User"]["Arn"]
    if password:
        iam.create_login_profile(UserName=name, Password="Example-Passw0rd!")
    for _ in key_ages:
        iam.create_access_key(UserName=name)
    _age(session, name, user_age, key_ages, key_last_used, password_last_used)
    return arn


def user_id_replacement(session: Any = None, name: str = CASE_USER, **credentials: Any) -> Mapping[str, str]:
    """Create the user as above; the events' placeholder user id → the id moto gave it."""
    session = session or default_session()
    create_user_with_credentials(session, name, **credentials)
    return {USER_ID_PLACEHOLDER: session.client("iam").get_user(UserName=name)["User"]["UserId"]}


def access_key_statuses(session: Any = None, name: str = CASE_USER) -> list[str]:
    session = session or default_session()
    keys = session.client("iam").list_access_keys(UserName=name)["AccessKeyMetadata"]
    return [key["Status"] for key in sorted(keys, key=lambda key: key["CreateDate"])]


def _age(
    session: Any,
    name: str,
    user_age: int,
    key_ages: Sequence[int],
    key_last_used: Sequence[int | None],
    password_last_used: int | None,
) -> None:
    from moto.iam.models import AccessKeyLastUsed, iam_backends

    account = session.client("sts").get_caller_identity().get("Account", ACCOUNT)
    now = datetime.now(UTC).replace(tzinfo=None)  # moto keeps naive UTC times
    user = iam_backends[account]["aws"].users[name]
    user.create_date = now - timedelta(days=max(user_age, *key_ages, 0))
    if password_last_used is not None:
        user.password_last_used = now - timedelta(days=password_last_used)  # type: ignore[assignment]
    for index, (key, age) in enumerate(zip(user.access_keys, key_ages, strict=True)):
        key.create_date = now - timedelta(days=age)
        used = key_last_used[index] if index < len(key_last_used) else None
        if used is not None:
            key.last_used = AccessKeyLastUsed(
                timestamp=now - timedelta(days=used), service="s3", region="us-east-1"
            )
