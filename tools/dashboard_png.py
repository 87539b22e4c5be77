"""Draw the stack's CloudWatch dashboard from the local demo's metrics: `make dashboard-png`.

    python -m tools.dashboard_png [--out docs/dashboard.png]

Runs the demo (`demo.run.main`, output hidden) with its functions' metrics kept as CloudWatch
would get them: each outcome's EMF line as the handler prints it, and each invocation's
AWS/Lambda Duration and Errors as the demo timed it. Then draws every graph of the dashboard
body the template carries (deploy/dashboard.py), in its layout, answering each metric and
Metrics Insights query with `localaws.metrics`. The demo runs in seconds, not hours: the time
axis is seconds since it started and graphs of five-minute periods are drawn in one-second
periods; a graph whose period outlasts the demo (changes per hour) has one value per line, drawn
as bars against its limit. Nothing publishes SQS metrics locally: that graph says so.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure  # no pyplot: no display, no global state

from demo.local_aws import REGION
from deploy import dashboard, functions, stack
from localaws.metrics import MetricStore
from rules.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "dashboard.png"  # beside README.md, which shows it
FIVE_MINUTES = 300.0
DEMO_PERIOD = 1.0  # seconds: the demo's stand-in for a graph's five minutes
#: A limit line is drawn when the data reach at least this fraction of it (else noted "off scale").
SCALE_FLOOR = 1 / 30
GRID_INCHES = 0.62  # one of the dashboard's 24 columns (and rows)


def local_widgets() -> list[dict[str, Any]]:
    """The template's dashboard body with each `${Name}` as the demo names it, the limit its default."""
    text = dashboard.body_text([f.function_id for f in functions.families(load_registry().rules)])
    limit = str(stack.PARAMETERS[dashboard.LIMIT_PARAMETER]["Default"])
    text = text.replace(f"${{{dashboard.LIMIT_PARAMETER}}}", limit).replace("${AWS::Region}", REGION)
    widgets: list[dict[str, Any]] = json.loads(re.sub(r"\$\{([^}]+)\}", r"\1", text))["widgets"]
    return widgets


def demo_metrics() -> MetricStore:
    """Run the demo with its metrics kept; its own output is hidden (`make demo` shows it)."""
    from demo.run import main as demo

    store = MetricStore()
    with contextlib.redirect_stdout(io.StringIO()):
        code = demo([], metrics=store)
    if code != 0:
        raise SystemExit(f"the demo failed (exit {code}): run `make demo` to see why")
    return store


def draw(widgets: Sequence[Mapping[str, Any]], store: MetricStore, out: Path) -> None:
    start = min(point.timestamp for point in store.points)
    end = max(point.timestamp for point in store.points)
    columns = 24
    rows = max(w["y"] + w["height"] for w in widgets)
    figure = Figure(figsize=(columns * GRID_INCHES, rows * GRID_INCHES * 1.3))
    grid = figure.add_gridspec(rows, columns, hspace=12, wspace=4, top=0.95)
    for widget in widgets:
        axes = figure.add_subplot(
            grid[widget["y"] : widget["y"] + widget["height"], widget["x"] : widget["x"] + widget["width"]]
        )
        draw_graph(axes, widget["properties"], store, start, end)
    figure.suptitle(
        f"sechub-remediator dashboard: the local demo's metrics ({len(store.points)} datapoints, "
        f"{end - start:.0f} s; five-minute periods drawn as {DEMO_PERIOD:.0f} s)",
        fontsize=11,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out, dpi=80, bbox_inches="tight")


def draw_graph(
    axes: Axes, properties: Mapping[str, Any], store: MetricStore, start: float, end: float
) -> None:
    period = float(properties["period"])
    whole_run = period > FIVE_MINUTES  # hourly: the demo fits in one period, one value per line (bars)
    lines: dict[str, list[tuple[float, float]]] = {}
    for spec in properties["metrics"]:
        found = store.series(
            spec, period=period if whole_run else DEMO_PERIOD, stat=properties["stat"], start=start
        )
        lines.update(found)
    axes.set_title(properties["title"], fontsize=9, loc="left")
    axes.tick_params(labelsize=7)
    if not lines:
        axes.text(0.5, 0.5, "no data in the local demo", ha="center", va="center", transform=axes.transAxes)
        axes.set_xticks([])
        axes.set_yticks([])
        return
    top = 0.0
    if whole_run:
        labels = sorted(lines, key=lambda label: -sum(v for _, v in lines[label]))
        values = [sum(v for _, v in lines[label]) for label in labels]
        axes.barh(range(len(labels)), values, color="#1f77b4")
        axes.set_yticks(range(len(labels)), labels, fontsize=6)
        axes.invert_yaxis()
        axes.set_xlabel(f"sum over the demo's one {period / 3600:g} h period", fontsize=7)
        top = max(values)
    else:
        stacked = bool(properties.get("stacked"))
        draw_time_series(axes, lines, start, end, stacked)
        totals = [sum(v for _, v in points) for points in lines.values()]
        top = sum(totals) if stacked else max(v for points in lines.values() for _, v in points)
        axes.set_xlabel("seconds since the demo started", fontsize=7)
    for line in properties.get("annotations", {}).get("horizontal", []):
        value = float(line["value"])
        if max(top, 1) >= SCALE_FLOOR * value and whole_run:  # bars lie along x: the limit is vertical
            axes.axvline(value, color="#d62728", linestyle="--", linewidth=1)
            axes.text(
                value, 0, f"{line['label']}: {value:g} ", color="#d62728", fontsize=7, ha="right", va="top"
            )
        elif max(top, 1) >= SCALE_FLOOR * value:
            axes.axhline(value, color="#d62728", linestyle="--", linewidth=1)
            axes.text(0, value, f" {line['label']}: {value:g}", color="#d62728", fontsize=7, va="bottom")
        else:
            axes.text(
                0.99,
                0.97,
                f"{line['label']}: {value:g} (off scale)",
                fontsize=7,
                ha="right",
                va="top",
                color="#d62728",
                transform=axes.transAxes,
            )


def draw_time_series(
    axes: Axes, lines: Mapping[str, list[tuple[float, float]]], start: float, end: float, stacked: bool
) -> None:
    steps = [start + DEMO_PERIOD * i for i in range(int((end - start) // DEMO_PERIOD) + 1)]
    x = [t - start for t in steps]
    ranked = sorted(lines, key=lambda label: -sum(v for _, v in lines[label]))
    shown = ranked[:12]  # CloudWatch's legend gets long too; the rest are summed
    series = {label: dict(lines[label]) for label in shown}
    if len(ranked) > len(shown):
        rest: dict[float, float] = {}
        for label in ranked[len(shown) :]:
            for when, value in lines[label]:
                rest[when] = rest.get(when, 0.0) + value
        series[f"{len(ranked) - len(shown)} more"] = rest
    values = [[points.get(t, 0.0) for t in steps] for points in series.values()]
    if stacked:
        axes.stackplot(x, values, labels=list(series), step="post")
    else:
        for label, row in zip(series, values, strict=True):
            axes.step(x, row, where="post", label=label, linewidth=1.2)
    axes.legend(fontsize=6, loc="upper left", ncol=2, frameon=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT.relative_to(ROOT)}"
    )
    args = parser.parse_args(argv)
    store = demo_metrics()
    draw(local_widgets(), store, args.out)
    print(f"wrote {args.out} from {len(store.points)} datapoints of the demo", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
