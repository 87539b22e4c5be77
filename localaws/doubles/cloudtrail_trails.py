"""CloudTrail DeleteTrail as AWS documents it, where moto 5 differs in a way that matters.

moto deletes a trail only when named by its name, and answers success, deleting nothing, for a
trail named by its ARN or for a trail that does not exist. AWS takes either (`Name`: "the name
or the CloudTrail ARN of the trail") and refuses an unknown trail with `TrailNotFoundException`;
a revert that deletes a trail by ARN would otherwise pass on moto and change nothing.
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DeleteTrail.html
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.cloudtrail.models import CloudTrailBackend


def delete_trail(self: CloudTrailBackend, name: str) -> None:
    trail = self.get_trail(name)  # by name or ARN; TrailNotFoundException otherwise
    del self.trails[trail.trail_name]


CLOUDTRAIL_BACKEND_METHODS: dict[str, Callable[..., Any]] = {"delete_trail": delete_trail}
