"""The live tag check: a resource carrying the exclusion tag is never changed (until it expires).

Tags in a finding are a snapshot from whenever the producer last looked: a tag added since is
not in it. So a resource is excluded when either the finding or its live tags carry the tag
(`engine/decide.py` checks the finding's); the live tags come from the resource's own service
where it returns them (`engine/tag_readers.py`), else from the Resource Groups Tagging API, one
call for every taggable type, by the resource's canonical ARN (its remediation's `Identity`),
and a resource whose live tags cannot be read is not changed. Account- and region-level
settings have no ARN and no tags: exclude those accounts with the deny list, or with an
exception (`engine/exceptions.py`).

The tag's value may say when it expires and who asked for it: `until=2027-03-01 owner=alice`
(tag values allow letters, digits, spaces and `_.:/=+-@`). Once `until` has passed (00:00 UTC
that day) the tag stops excluding and the note says it expired; a value without `until=`
excludes for as long as the tag is there, as before. Every skip names the tag, its owner (or
that none is named) and its expiry.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from engine.exceptions import ExemptionDateError, ExemptionStore, Verdict, parse_until, until_text, verdict
from model.errors import RemediationError
from model.finding import Resource

#: tags(resource) -> the resource's tags, or None when they cannot be read
TagReader = Callable[[Resource], dict[str, str] | None]


_UNTIL = re.compile(r"(?:^|\s)until=(\S+)")
_OWNER = re.compile(r"(?:^|\s)owner=(\S+)")


def has_expiry(value: str) -> bool:
    """Whether the tag's value says when it expires (then only a clock can judge it)."""
    return bool(_UNTIL.search(value))


def tag_verdict(tag: str, value: str, now: float | None = None) -> Verdict:
    """What an exclusion tag with `value` says: skip (naming owner and expiry), or that it expired.

    `now` None: the value is judged without a clock (a value with `until=` is then not judged).
    """
    owner_match = _OWNER.search(value)
    owner = f"owner {owner_match.group(1)}" if owner_match else "no owner named (add owner=… to its value)"
    until_match = _UNTIL.search(value)
    expiry = "no expiry (add until=YYYY-MM-DD to its value)"
    if until_match:
        try:
            until = parse_until(until_match.group(1))
        except ExemptionDateError:
            expiry = f"until={until_match.group(1)} is not a date (YYYY-MM-DD): no expiry"
        else:
            if now is not None and until.timestamp() <= now:
                return Verdict(
                    remark=f"The exclusion tag {tag!r} ({owner}) expired on {until_text(until)}: "
                    "it no longer applies."
                )
            expiry = f"until {until_text(until)}"
    return Verdict(skip=f"resource carries the exclusion tag {tag!r} ({owner}, {expiry})")


def live_tag_exclusion(resource: Resource, tag: str, read_tags: TagReader, now: float) -> Verdict:
    """What the live tags say of `resource`; unreadable tags exclude it too."""
    if not tag or not resource.arn:
        return Verdict()
    tags = read_tags(resource)
    if tags is None:
        return Verdict(skip=f"could not read the tags of {resource.arn} to check the exclusion tag {tag!r}")
    if tag in tags:
        return tag_verdict(tag, tags[tag], now)
    return Verdict()


def tagging_api_reader(client_for: Callable[[str, str], object]) -> TagReader:
    """A TagReader over `tag:GetResources`; client_for(account, region) returns the client."""

    def read(resource: Resource) -> dict[str, str] | None:
        try:
            client = client_for(resource.account_id, resource.region)
            mappings = client.get_resources(ResourceARNList=[resource.arn])["ResourceTagMappingList"]  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError, RemediationError):  # unreadable: the caller says so
            return None
        return {tag["Key"]: tag["Value"] for mapping in mappings for tag in mapping.get("Tags", [])}

    return read


def excluded(
    resource: Resource,
    control: str,
    tag: str,
    *,
    now: float,
    read_tags: TagReader | None,
    exemptions: ExemptionStore | None,
) -> Verdict:
    """Everything a person set to keep the engine off this resource, in one verdict.

    In order: a recorded exception (one read, `ExemptionStore.naming`), the finding's own tag
    when its value carries an expiry (`engine/decide.py` judged the others), the live tags. The
    first that applies skips the finding; every expired one is remarked on its note. Raises what
    the state table raises when the exceptions cannot be read (the caller retries the finding).
    """
    remarks = []
    checks: list[Callable[[], Verdict]] = []
    if exemptions is not None:
        checks.append(
            lambda: verdict(exemptions.naming(control, resource.account_id, resource.arn or ""), now)
        )
    reported = dict(resource.tags).get(tag) if tag else None
    if reported is not None and has_expiry(reported):
        checks.append(lambda: tag_verdict(tag, reported, now))
    if read_tags is not None:
        checks.append(lambda: live_tag_exclusion(resource, tag, read_tags, now))
    for check in checks:
        found = check()
        if found.remark and found.remark not in remarks:
            remarks.append(found.remark)
        if found.skip:
            return Verdict(skip=found.skip, remark=" ".join(remarks))
    return Verdict(remark=" ".join(remarks))
