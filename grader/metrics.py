"""Prometheus metrics at /metrics (prometheus-client's text format).

Workers grade in other processes, often on other hosts, so what they do is not
counted in memory anywhere: the queue, the gradings by verdict and the latency
histograms are read from the database at scrape time, and every web process
reports the same, complete figures (so do the sandbox pool's hits, misses and
waits, which each result records). Only what belongs to one process is kept in
its memory: its open WebSockets (scrape every web process, not the proxy), the
inline grader's pool of started sandboxes, and the usual process figures
(memory, CPU, open files).
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, FloatField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from prometheus_client import CollectorRegistry, Gauge, ProcessCollector, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector

from grader.models import Submission
from sandboxes.runner import sandbox_pool_if_started

# Seconds. A Flask exercise takes about 1 s to grade; a timeout 10 s; a queue
# under load minutes (docs/deploy.md has measured figures).
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
# Seconds a grading waits for its container: about nothing from the pool, a
# few tenths for a fresh one, longer on a loaded engine.
SANDBOX_WAIT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

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


def _sandbox_wait_histogram(rows: Any) -> HistogramMetricFamily:
    """Each grading's wait for its container, from the milliseconds in its result."""
    waited = Cast(KT("result__timings__sandbox_wait_ms"), FloatField())
    rows = rows.filter(result__timings__has_key="sandbox_wait_ms").annotate(waited=waited)
    aggregates: dict[str, Any] = {
        f"le_{index}": Count("pk", filter=Q(waited__lte=bound * 1000))
        for index, bound in enumerate(SANDBOX_WAIT_BUCKETS)
    }
    counted = rows.aggregate(total=Count("pk"), milliseconds=Sum("waited"), **aggregates)
    buckets = [
        (str(bound), float(counted[f"le_{index}"]))
        for index, bound in enumerate(SANDBOX_WAIT_BUCKETS)
    ]
    buckets.append(("+Inf", float(counted["total"])))
    return HistogramMetricFamily(
        "lectern_sandbox_wait_seconds",
        "From a grading's start to its container taking the job: what the pool saves.",
        buckets=buckets,
        sum_value=(counted["milliseconds"] or 0.0) / 1000,
    )


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
        rows = (
            completed.values("result_status", "result__verdict")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for row in rows:
            gradings.add_metric(
                [row["result_status"], str(row["result__verdict"] or "")], row["count"]
            )
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

        # Every worker's gradings, pool hits and misses alike, from their results.
        claims = CounterMetricFamily(
            "lectern_sandbox_claims",
            "Gradings by where their container came from: pooled (started ahead) or fresh.",
            labels=["sandbox"],
        )
        by_sandbox = (
            completed.filter(result__timings__has_key="sandbox")
            .values("result__timings__sandbox")
            .annotate(count=Count("pk"))
            .order_by()
        )
        for sandbox_row in by_sandbox:
            claims.add_metric([str(sandbox_row["result__timings__sandbox"])], sandbox_row["count"])
        yield claims
        yield _sandbox_wait_histogram(completed)


class SandboxPoolCollector(Collector):
    """The pool of this process (the inline grader's; each Celery worker process
    keeps its own, which its results above account for)."""

    def collect(self) -> Iterator[Any]:
        pool = sandbox_pool_if_started()
        stats = pool.stats() if pool is not None else {"size": 0, "idle": 0}
        size = GaugeMetricFamily(
            "lectern_sandbox_pool_containers",
            "Containers this process keeps started ahead of their job: the target (size) "
            "and those ready now (idle).",
            labels=["state"],
        )
        size.add_metric(["size"], stats["size"])
        size.add_metric(["idle"], stats["idle"])
        yield size


registry.register(SubmissionsCollector())
registry.register(SandboxPoolCollector())


def metrics_render() -> bytes:
    return generate_latest(registry)
