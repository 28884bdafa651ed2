"""Prometheus metrics at /metrics (prometheus-client's text format).

Workers grade in other processes, often on other hosts, so what they do is not
counted in memory anywhere: the queue, the gradings by verdict and the latency
histograms are read from the database at scrape time, and every web process
reports the same, complete figures. Only what belongs to one process is kept in
its memory: its open WebSockets (scrape every web process, not the proxy) and
the usual process figures (memory, CPU, open files).
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from prometheus_client import CollectorRegistry, Gauge, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from grader.models import Submission

# Seconds. A Flask exercise takes about 1 s to grade; a timeout 10 s; a queue
# under load minutes (docs/deploy.md has measured figures).
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)

registry = CollectorRegistry()
ProcessCollector(registry=registry)
websockets_active = Gauge(
    "lectern_websockets_active",
    "Submission WebSockets open on this web process.",
    registry=registry,
)


def _histogram(name: str, documentation: str, durations: Any, rows: Any) -> HistogramMetricFamily:
    """A cumulative histogram of `durations` over `rows`, counted by the database."""
    aggregates: dict[str, Any] = {
        f"le_{index}": Count("pk", filter=Q(**{"duration__lte": timedelta(seconds=bound)}))
        for index, bound in enumerate(LATENCY_BUCKETS)
    }
    counted = rows.annotate(duration=durations).aggregate(
        total=Count("pk"), seconds=Sum("duration"), **aggregates
    )
    buckets: list[tuple[str, float]] = [
        (str(bound), float(counted[f"le_{index}"])) for index, bound in enumerate(LATENCY_BUCKETS)
    ]
    buckets.append(("+Inf", float(counted["total"])))
    total_seconds = counted["seconds"].total_seconds() if counted["seconds"] else 0.0
    return HistogramMetricFamily(name, documentation, buckets=buckets, sum_value=total_seconds)


class SubmissionsCollector(Collector):
    """Queue depth, gradings and latencies, from the database at scrape time."""

    def collect(self) -> Iterator[Any]:
        by_status = dict(
            Submission.objects.filter(
                status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING]
            )
            .values_list("status")
            .annotate(count=Count("pk"))
            .values_list("status", "count")
        )
        queue = GaugeMetricFamily(
            "lectern_submissions",
            "Submissions waiting for a worker (queued) or being graded (running).",
            labels=["status"],
        )
        for status in (Submission.Status.QUEUED, Submission.Status.RUNNING):
            queue.add_metric([status], by_status.get(status, 0))
        yield queue

        completed = Submission.objects.filter(status=Submission.Status.COMPLETED)
        gradings = CounterMetricFamily(
            "lectern_gradings",
            "Completed gradings by status (pass, fail, error) and verdict "
            "(passed, failed, timeout, memory_limit, ..., grader_error).",
            labels=["status", "verdict"],
        )
        rows = completed.values("verdict", "result__verdict").annotate(count=Count("pk")).order_by()
        for row in rows:
            gradings.add_metric([row["verdict"], str(row["result__verdict"] or "")], row["count"])
        yield gradings

        timed = completed.filter(started_at__isnull=False, finished_at__isnull=False)
        yield _histogram(
            "lectern_submission_latency_seconds",
            "From a submission's arrival to its result: what a learner waits.",
            ExpressionWrapper(F("finished_at") - F("created_at"), output_field=DurationField()),
            timed,
        )
        yield _histogram(
            "lectern_grading_duration_seconds",
            "From a worker's claim to the result: the grading alone.",
            ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField()),
            timed,
        )


registry.register(SubmissionsCollector())


def metrics_render() -> bytes:
    return generate_latest(registry)
