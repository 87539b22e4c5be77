"""An account's tags and organizational units, read from AWS Organizations once and cached.

Modes per environment (rules/modes.py) may select accounts by tag or OU. Each account costs one
`ListTagsForResource` and one `ListParents` per level up to the root (two or three calls for a
usual OU tree), made from the stack's own account, the first time a finding of that account needs
them; the answer is kept in the process (the execution environment) for `CACHE_SECONDS`, so a
retagged account changes mode within the hour without a deployment, and a burst of findings of
one account costs one read. An account Organizations does not know (not a member) has no tags and
no OUs: only environments that name it by id select it.

Organizations answers only in its management account or a delegated administrator for it
(deploy/README.md says how to allow the stack's account). Any other refusal is raised, and the
finding fails rather than fall back to a laxer mode.
APIs: https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListTagsForResource.html,
https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListParents.html
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from rules.modes import AccountFacts

CACHE_SECONDS = 3600
#: An id Organizations does not know: AWS answers ChildNotFound / TargetNotFound; moto 5 answers
#: AccountNotFoundException to ListParents, so both are read as "not a member".
NOT_FOUND = frozenset({"ChildNotFoundException", "TargetNotFoundException", "AccountNotFoundException"})
#: Every call this reader makes; granted only when an environment selects by tag or OU.
PERMISSIONS = ("organizations:ListTagsForResource", "organizations:ListParents")
ROOT = "ROOT"
MAX_DEPTH = 6  # Organizations nests OUs five deep under the root


class AccountFactsReader:
    """Tags and OUs per account id, from `client` (made on first use), cached in the process."""

    def __init__(self, client: Callable[[], Any], clock: Callable[[], float] = time.time) -> None:
        self._make_client = client
        self._client: Any = None
        self._clock = clock
        self._cache: dict[str, tuple[float, AccountFacts]] = {}
        self._lock = threading.Lock()
        self.reads = 0  # accounts read from Organizations (tests and the demo show the cache works)

    def __call__(self, account_id: str) -> AccountFacts:
        now = self._clock()
        cached = self._cache.get(account_id)
        if cached and cached[0] > now:
            return cached[1]
        facts = self._read(account_id)
        with self._lock:
            self._cache[account_id] = (now + CACHE_SECONDS, facts)
            self.reads += 1
        return facts

    def _read(self, account_id: str) -> AccountFacts:
        if self._client is None:
            self._client = self._make_client()
        try:
            tags: dict[str, str] = {}
            for page in self._client.get_paginator("list_tags_for_resource").paginate(ResourceId=account_id):
                tags.update({tag["Key"]: tag["Value"] for tag in page["Tags"]})
            units = []
            child = account_id
            for _ in range(MAX_DEPTH):
                parents = self._client.list_parents(ChildId=child)["Parents"]
                if not parents or parents[0]["Type"] == ROOT:
                    break
                child = parents[0]["Id"]
                units.append(child)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in NOT_FOUND:
                return AccountFacts(tags={})
            raise
        return AccountFacts(tags=tags, organizational_units=tuple(units))
