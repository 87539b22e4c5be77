"""A local CloudWatch for the stack's metrics: EMF lines in, a dashboard widget's lines out.

In Lambda the engine prints one Embedded Metric Format document per finding and CloudWatch Logs
turns it into metrics; here `emf_datapoints` reads the same documents, and `MetricStore` answers
what a dashboard widget asks for: a metric by its exact dimensions and statistic, or the subset
of Metrics Insights the stack's dashboard uses (`SELECT FUNC(metric) FROM namespace [WHERE
dim = 'value' [AND …]] [GROUP BY dim[, …]]`; anything else is refused, not guessed at).
EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
Metrics Insights: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html
"""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from typing import Any

Dimensions = tuple[tuple[str, str], ...]
#: Statistics by their dashboard name and by their Metrics Insights function.
STATISTICS: Mapping[str, Callable[[Sequence[float]], float]] = {
    "Sum": sum,
    "Maximum": max,
    "Minimum": min,
    "Average": lambda values: sum(values) / len(values),
    "SampleCount": len,
}
FUNCTIONS = {"SUM": "Sum", "MAX": "Maximum", "MIN": "Minimum", "AVG": "Average", "COUNT": "SampleCount"}
_QUERY = re.compile(
    r"SELECT (?P<function>\w+)\((?P<metric>\w+)\) FROM (?P<namespace>\"[^\"]+\"|\w+)"
    r"(?: WHERE (?P<where>.+?))?(?: GROUP BY (?P<group>.+?))?",
    re.IGNORECASE,
)
_CONDITION = re.compile(r"(\w+) = '([^']*)'")


@dataclass(frozen=True, slots=True)
class Datapoint:
    namespace: str
    name: str
    dimensions: Dimensions
    value: float
    timestamp: float  # seconds


@dataclass(frozen=True, slots=True)
class Query:
    """A Metrics Insights query of the subset above."""

    statistic: str
    metric: str
    namespace: str
    where: Dimensions = ()
    group_by: tuple[str, ...] = ()


def parse_query(text: str) -> Query:
    """Raises ValueError for a query outside the subset (OR, LIKE, SCHEMA, ORDER BY, LIMIT…)."""
    match = _QUERY.fullmatch(" ".join(text.split()))
    if not match or match["function"].upper() not in FUNCTIONS:
        raise ValueError(f"not a query this local CloudWatch answers: {text}")
    where: list[tuple[str, str]] = []
    for condition in re.split(r" AND ", match["where"] or "", flags=re.IGNORECASE):
        if not condition:
            continue
        found = _CONDITION.fullmatch(condition.strip())
        if not found:
            raise ValueError(f"condition {condition!r} is not `dimension = 'value'`: {text}")
        where.append((found[1], found[2]))
    group = tuple(part.strip() for part in (match["group"] or "").split(",") if part.strip())
    return Query(
        statistic=FUNCTIONS[match["function"].upper()],
        metric=match["metric"],
        namespace=match["namespace"].strip('"'),
        where=tuple(where),
        group_by=group,
    )


def emf_datapoints(document: Mapping[str, Any]) -> Iterator[Datapoint]:
    """The datapoints one EMF document declares: each metric under each dimension set."""
    meta = document["_aws"]
    timestamp = meta["Timestamp"] / 1000
    for directive in meta["CloudWatchMetrics"]:
        for dimension_set in directive["Dimensions"] or [[]]:
            dimensions = tuple((name, str(document[name])) for name in dimension_set)
            for metric in directive["Metrics"]:
                values = document[metric["Name"]]
                for value in values if isinstance(values, list) else [values]:
                    yield Datapoint(
                        directive["Namespace"], metric["Name"], dimensions, float(value), timestamp
                    )


def emf_lines(text: str) -> Iterator[Datapoint]:
    """The datapoints of every EMF document among `text`'s lines (other lines are skipped)."""
    for line in text.splitlines():
        if line.startswith("{") and '"_aws"' in line:
            yield from emf_datapoints(json.loads(line))


@dataclass
class MetricStore:
    points: list[Datapoint] = field(default_factory=list)

    def add(self, points: Iterable[Datapoint]) -> None:
        self.points.extend(points)

    def capture(self, emit: Callable[[], object]) -> None:
        """Run `emit` (e.g. the handler's `count_outcome`) and keep the EMF lines it prints."""
        out = io.StringIO()
        with redirect_stdout(out):
            emit()
        self.add(emf_lines(out.getvalue()))

    def put(self, namespace: str, name: str, value: float, timestamp: float, **dimensions: str) -> None:
        """A datapoint a service would publish itself (AWS/Lambda's Duration, Errors…)."""
        self.points.append(Datapoint(namespace, name, tuple(dimensions.items()), value, timestamp))

    def series(
        self, spec: Sequence[Any], *, period: float, stat: str, start: float
    ) -> dict[str, list[tuple[float, float]]]:
        """A widget metric's lines, label → [(period start, value)], from `start` on.

        `spec`: `[{"expression": query, …}]` or `[namespace, name, dim, value, …, {options}]`.
        """
        options: Mapping[str, Any] = spec[-1] if spec and isinstance(spec[-1], Mapping) else {}
        if "expression" in options:
            query = parse_query(options["expression"])
            selected = [
                p
                for p in self.points
                if (p.namespace, p.name) == (query.namespace, query.metric)
                and set(query.where) <= set(p.dimensions)
            ]
            groups: dict[str, list[Datapoint]] = defaultdict(list)
            for point in selected:
                values = dict(point.dimensions)
                key = " ".join(values.get(name, "") for name in query.group_by) or options.get("label", "")
                groups[key or query.metric].append(point)
            return {
                label: _buckets(points, period, query.statistic, start) for label, points in groups.items()
            }
        names = [part for part in spec if not isinstance(part, Mapping)]
        namespace, metric, pairs = names[0], names[1], names[2:]
        dimensions = tuple(sorted(zip(pairs[0::2], pairs[1::2], strict=True)))
        chosen = [
            p
            for p in self.points
            if (p.namespace, p.name) == (namespace, metric) and tuple(sorted(p.dimensions)) == dimensions
        ]
        label = str(options.get("label", metric))
        return {label: _buckets(chosen, period, str(options.get("stat", stat)), start)} if chosen else {}


def _buckets(
    points: Sequence[Datapoint], period: float, statistic: str, start: float
) -> list[tuple[float, float]]:
    by_period: dict[float, list[float]] = defaultdict(list)
    for point in points:
        by_period[start + ((point.timestamp - start) // period) * period].append(point.value)
    aggregate = STATISTICS[statistic]
    return sorted((when, float(aggregate(values))) for when, values in by_period.items())
