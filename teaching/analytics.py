"""What an instructor's analytics page shows (templates/teaching/analytics.html,
docs/instructors.md): for one class and one exercise of its course, read from
the submissions, lesson visits and progress when the page is asked for.

Every selector reads the whole class in a few queries, never one per learner.
Days are dates in the current time zone (the visitor's, config/time_zone.py).
Each result has the numbers for the page's table and a `chart()`: the JSON
that frontend/charts.js turns into a Chart.js chart.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import F, Min, QuerySet
from django.utils import timezone

from classes.models import Classroom
from classes.selectors import class_learners
from grader.models import Submission
from grader.selectors import graded_submissions
from grader.vocabulary import VERDICT_LABELS, TestStatus, Verdict
from learning.models import ExerciseProgress, LessonVisit
from lessons.models import Exercise

# Attempts until the first pass: one bar each for 1 to 9, then "10 or more".
ATTEMPT_BARS = 10
NOT_PASSED = "Not passed yet"
# The verdicts that come with a per-test outcome; any other is the run as a whole.
PER_TEST_VERDICTS = frozenset({Verdict.PASSED, Verdict.FAILED})
FAILED_TEST = frozenset({TestStatus.FAIL, TestStatus.ERROR})


# --- The chart document ------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]
    # The site.css custom property it is drawn in, without its dashes.
    tone: str = "accent"
    # Values from 0 to 1, drawn against a percent axis on the right.
    share: bool = False


@dataclass(frozen=True)
class Chart:
    """What frontend/charts.js draws (its chartConfig reads this shape)."""

    kind: str  # "bar" or "line"
    labels: list[str]
    series: list[Series]
    x_title: str = ""
    y_title: str = ""
    horizontal: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "labels": self.labels,
            "series": [
                {"label": s.label, "values": s.values, "tone": s.tone, "share": s.share}
                for s in self.series
            ],
            "xTitle": self.x_title,
            "yTitle": self.y_title,
            "horizontal": self.horizontal,
        }


# --- What the selectors share ------------------------------------------------------------


def passed_fully(score: float | None, max_score: float | None) -> bool:
    """Full points, as learning.services.exercise_progress_record counts a pass."""
    return score is not None and max_score is not None and score >= max_score > 0


def local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class Attempt:
    at: datetime
    passed: bool


def attempts_by_learner(
    *, exercise: Exercise, learners: QuerySet[User]
) -> dict[int, list[Attempt]]:
    """Each learner's attempts, oldest first: their graded Submits (a syntax
    error, a broken exercise or a grader failure is not one, nor is a regrade)."""
    rows = (
        Submission.objects.filter(
            exercise=exercise,
            user__in=learners,
            mode=Submission.Mode.SUBMIT,
            status=Submission.Status.COMPLETED,
            gradable=True,
        )
        .exclude(source=Submission.Source.REGRADE)
        .order_by("created_at", "pk")
        .values_list("user_id", "created_at", "score", "max_score")
    )
    found: dict[int, list[Attempt]] = defaultdict(list)
    for user_id, created_at, score, max_score in rows:
        found[user_id].append(Attempt(at=created_at, passed=passed_fully(score, max_score)))
    return found


def first_pass(attempts: list[Attempt]) -> tuple[int, datetime] | None:
    """(how many attempts it took, when) of the first full-score attempt."""
    for number, attempt in enumerate(attempts, start=1):
        if attempt.passed:
            return number, attempt.at
    return None


def counted(number: int, word: str, words: str = "") -> str:
    """ "1 learner", "2 learners"."""
    return f"{number} {word if number == 1 else words or word + 's'}"


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{share:.0%}"


# --- Attempts until the first pass -------------------------------------------------------


@dataclass(frozen=True)
class AttemptsUntilPass:
    # (bar label, learners), "1" to "10 or more", then NOT_PASSED.
    bars: list[tuple[str, int]]
    passed: int
    not_passed: int
    # Learners of the class with no attempt at all, not in the chart.
    not_tried: int

    def summary(self) -> str:
        if not self.passed and not self.not_passed:
            return "Nobody in the class has submitted this exercise yet."
        most = max(self.bars[:-1], key=lambda bar: bar[1])
        text = (
            f"{counted(self.passed, 'learner')} passed, {self.not_passed} tried and "
            f"{'has' if self.not_passed == 1 else 'have'} not passed yet, "
            f"{self.not_tried} did not try."
        )
        if self.passed:
            text += f" Most often it took {most[0]} {'attempt' if most[0] == '1' else 'attempts'}."
        return text

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            labels=[label for label, _ in self.bars],
            series=[
                Series(
                    "Learners",
                    [float(count) for _, count in self.bars],
                    tone="accent",
                )
            ],
            x_title="Attempts until the first pass",
            y_title="Learners",
        )


def attempts_until_pass(*, classroom: Classroom, exercise: Exercise) -> AttemptsUntilPass:
    learners = class_learners(classroom=classroom)
    counts: Counter[str] = Counter()
    for attempts in attempts_by_learner(exercise=exercise, learners=learners).values():
        passed = first_pass(attempts)
        if passed is None:
            counts[NOT_PASSED] += 1
        else:
            number = passed[0]
            counts[str(number) if number < ATTEMPT_BARS else f"{ATTEMPT_BARS} or more"] += 1
    labels = [str(n) for n in range(1, ATTEMPT_BARS)] + [f"{ATTEMPT_BARS} or more", NOT_PASSED]
    tried = sum(counts.values())
    return AttemptsUntilPass(
        bars=[(label, counts[label]) for label in labels],
        passed=tried - counts[NOT_PASSED],
        not_passed=counts[NOT_PASSED],
        not_tried=learners.count() - tried,
    )


# --- Pass rate over time -----------------------------------------------------------------


@dataclass(frozen=True)
class PassDay:
    day: date
    submissions: int
    passed: int
    # Learners whose first pass was on this day or before.
    learners_passed: int

    @property
    def share(self) -> float | None:
        return self.passed / self.submissions if self.submissions else None

    @property
    def share_text(self) -> str:
        return share_text(self.share)


@dataclass(frozen=True)
class PassRate:
    days: list[PassDay]
    learners: int

    def summary(self) -> str:
        if not self.days:
            return "No attempts yet."
        submissions = sum(day.submissions for day in self.days)
        passed = sum(day.passed for day in self.days)
        return (
            f"{counted(submissions, 'attempt')} over {counted(len(self.days), 'day')} from "
            f"{self.days[0].day:%Y-%m-%d} to {self.days[-1].day:%Y-%m-%d}, "
            f"{share_text(passed / submissions)} of them passed; by the last day "
            f"{self.days[-1].learners_passed} of {counted(self.learners, 'learner')} had passed."
        )

    def chart(self) -> Chart:
        return Chart(
            kind="line",
            labels=[f"{day.day:%Y-%m-%d}" for day in self.days],
            series=[
                Series("Attempts", [float(day.submissions) for day in self.days], tone="accent"),
                Series(
                    "Learners passed so far",
                    [float(day.learners_passed) for day in self.days],
                    tone="pass",
                ),
                Series("Share passed", [day.share for day in self.days], tone="error", share=True),
            ],
            x_title="Day",
            y_title="Attempts, learners",
        )


def pass_rate_over_time(*, classroom: Classroom, exercise: Exercise) -> PassRate:
    learners = class_learners(classroom=classroom)
    submissions: Counter[date] = Counter()
    passes: Counter[date] = Counter()
    first_passes: Counter[date] = Counter()
    for attempts in attempts_by_learner(exercise=exercise, learners=learners).values():
        for attempt in attempts:
            submissions[local_day(attempt.at)] += 1
            passes[local_day(attempt.at)] += attempt.passed
        passed = first_pass(attempts)
        if passed is not None:
            first_passes[local_day(passed[1])] += 1
    days: list[PassDay] = []
    so_far = 0
    if submissions:
        for day in days_between(min(submissions), max(submissions)):
            so_far += first_passes[day]
            days.append(PassDay(day, submissions[day], passes[day], so_far))
    return PassRate(days=days, learners=learners.count())


# --- The tests learners fail most --------------------------------------------------------


@dataclass
class TestFailures:
    __test__ = False  # a name pytest would otherwise collect

    name: str
    visibility: str
    submissions: int = 0
    learners: set[int] = field(default_factory=set)

    @property
    def learner_count(self) -> int:
        return len(self.learners)


@dataclass(frozen=True)
class FailedTests:
    # Most learners first; ties in the exercise's order of tests.
    tests: list[TestFailures]
    # What they are out of: graded submissions whose tests ran, and their learners.
    submissions: int
    learners: int

    def summary(self) -> str:
        failing = [test for test in self.tests if test.learner_count]
        if not failing:
            return f"No test failed in {counted(self.submissions, 'graded submission')}."
        named = ", ".join(
            f"{test.name} ({counted(test.learner_count, 'learner')})" for test in failing[:3]
        )
        return (
            f"Out of {counted(self.learners, 'learner')} with graded submissions, the tests failed "
            f"by the most: {named}."
        )

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            labels=[
                test.name if test.visibility == "visible" else f"{test.name} ({test.visibility})"
                for test in self.tests
            ],
            series=[
                Series("Learners", [float(test.learner_count) for test in self.tests], "fail"),
                Series("Submissions", [float(test.submissions) for test in self.tests], "error"),
            ],
            x_title="Learners or submissions that failed it",
            horizontal=True,
        )


def tests_failed_most(*, classroom: Classroom, exercise: Exercise) -> FailedTests:
    """Per test, how many graded submissions failed it or raised in it, and how
    many learners. Only tests that ran count: a syntax error or a limit that
    stopped the run before a test is not that test failing (that run is in
    whole_run_failures), and a result that is not gradable (a broken exercise,
    a grader failure) says nothing about the learner's code."""
    learners = class_learners(classroom=classroom)
    tests = {
        test["name"]: TestFailures(test["name"], test.get("visibility", "visible"))
        for test in exercise.tests
    }
    counted = 0
    who: set[int] = set()
    results = graded_submissions(exercises=[exercise], users=learners).values_list(
        "user_id", "result"
    )
    for user_id, result in results:
        if not result or not result.get("gradable"):
            continue
        counted += 1
        who.add(user_id)
        for entry in result.get("tests", []):
            if entry.get("ran") is False or entry.get("status") not in FAILED_TEST:
                continue
            # A test since renamed or removed still shows, after the current ones.
            test = tests.setdefault(
                entry["name"], TestFailures(entry["name"], entry.get("visibility", "visible"))
            )
            test.submissions += 1
            test.learners.add(user_id)
    ranked = sorted(tests.values(), key=lambda test: -test.learner_count)
    return FailedTests(tests=ranked, submissions=counted, learners=len(who))


# --- Whole-run failures ------------------------------------------------------------------


@dataclass(frozen=True)
class RunFailure:
    verdict: str
    label: str
    submissions: int
    learners: int


@dataclass(frozen=True)
class RunFailures:
    # Most submissions first.
    failures: list[RunFailure]
    submissions: int

    def summary(self) -> str:
        if not self.failures:
            return f"No graded submission of {self.submissions} failed as a whole run."
        named = ", ".join(f"{f.label} ({f.submissions})" for f in self.failures[:3])
        return (
            f"Of {counted(self.submissions, 'graded submission')}, whole runs failed most "
            f"as: {named}."
        )

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            labels=[failure.label for failure in self.failures],
            series=[
                Series("Submissions", [float(f.submissions) for f in self.failures], "error"),
                Series("Learners", [float(f.learners) for f in self.failures], "fail"),
            ],
            x_title="Submissions or learners",
            horizontal=True,
        )


def verdict_label(verdict: str) -> str:
    try:
        return VERDICT_LABELS[Verdict(verdict)]
    except ValueError:
        return verdict


def whole_run_failures(*, classroom: Classroom, exercise: Exercise) -> RunFailures:
    """The graded submissions that did not get as far as a verdict per test (a
    syntax error, a time or memory limit, a crash, ...), by verdict."""
    learners = class_learners(classroom=classroom)
    submissions: Counter[str] = Counter()
    who: dict[str, set[int]] = defaultdict(set)
    total = 0
    results = graded_submissions(exercises=[exercise], users=learners).values_list(
        "user_id", "result"
    )
    for user_id, result in results:
        total += 1
        verdict = (result or {}).get("verdict", "")
        if verdict in PER_TEST_VERDICTS:
            continue
        submissions[verdict] += 1
        who[verdict].add(user_id)
    failures = [
        RunFailure(verdict, verdict_label(verdict), count, len(who[verdict]))
        for verdict, count in submissions.most_common()
    ]
    return RunFailures(failures=failures, submissions=total)


# --- Hints revealed ----------------------------------------------------------------------


@dataclass(frozen=True)
class HintsRevealed:
    # (hints revealed, learners) from 0 to the exercise's number of hints.
    counts: list[tuple[int, int]]

    @property
    def learners(self) -> int:
        return sum(count for _, count in self.counts)

    def summary(self) -> str:
        if len(self.counts) == 1:
            return "This exercise has no hints."
        if not self.learners:
            return "Nobody has started this exercise yet."
        some = self.learners - self.counts[0][1]
        return (
            f"{some} of {counted(self.learners, 'learner')} who started the exercise revealed "
            f"at least one of its {counted(len(self.counts) - 1, 'hint')}; "
            f"{self.counts[-1][1]} revealed all."
        )

    def chart(self) -> Chart:
        return Chart(
            kind="bar",
            labels=[str(hints) for hints, _ in self.counts],
            series=[Series("Learners", [float(count) for _, count in self.counts])],
            x_title="Hints revealed",
            y_title="Learners",
        )


def hints_revealed(*, classroom: Classroom, exercise: Exercise) -> HintsRevealed:
    """Over the learners who started the exercise: those with a progress row,
    which a first attempt or a first hint makes."""
    most = len(exercise.hints)
    counts: Counter[int] = Counter(
        min(revealed, most)
        for revealed in ExerciseProgress.objects.filter(
            exercise=exercise, user__in=class_learners(classroom=classroom)
        ).values_list("hints_revealed", flat=True)
    )
    return HintsRevealed(counts=[(hints, counts[hints]) for hints in range(most + 1)])


# --- Time from first open to pass --------------------------------------------------------


@dataclass(frozen=True)
class TimeToPass:
    median: timedelta | None
    learners: int

    @property
    def median_text(self) -> str:
        return "—" if self.median is None else duration_text(self.median)


def duration_text(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def time_to_pass(*, classroom: Classroom, exercise: Exercise) -> TimeToPass:
    """The median time from a learner's first open of the exercise (their first
    visit of its lesson, or their first submission when that is earlier or
    they never opened the lesson) to their first full score."""
    learners = class_learners(classroom=classroom)
    passes = {
        user_id: passed[1]
        for user_id, attempts in attempts_by_learner(exercise=exercise, learners=learners).items()
        if (passed := first_pass(attempts)) is not None
    }
    opened: dict[int, datetime] = dict(
        Submission.objects.filter(exercise=exercise, user__in=learners)
        .exclude(source=Submission.Source.REGRADE)
        .values("user_id")
        .annotate(first=Min("created_at"))
        .order_by()
        .values_list("user_id", "first")
    )
    if exercise.lesson_id is not None:
        visits = LessonVisit.objects.filter(
            lesson_id=exercise.lesson_id, user__in=learners
        ).values_list("user_id", "first_visited_at")
        for user_id, visited in visits:
            if user_id not in opened or visited < opened[user_id]:
                opened[user_id] = visited
    durations = [
        (passed_at - opened.get(user_id, passed_at)).total_seconds()
        for user_id, passed_at in passes.items()
    ]
    if not durations:
        return TimeToPass(median=None, learners=0)
    return TimeToPass(
        median=timedelta(seconds=statistics.median(durations)), learners=len(durations)
    )


# --- The class over the course -----------------------------------------------------------


@dataclass(frozen=True)
class ProgressDay:
    day: date
    # Passes (learner, exercise) up to this day, and their share of all there are.
    passes: int
    share: float | None

    @property
    def share_text(self) -> str:
        return share_text(self.share)


@dataclass(frozen=True)
class ClassProgress:
    days: list[ProgressDay]
    # (exercise, learners of the class who have passed it) in course order.
    exercises: list[tuple[Exercise, int]]
    learners: int

    def summary(self) -> str:
        if not self.days:
            return "Nobody in the class has passed an exercise yet."
        return (
            f"From {self.days[0].day:%Y-%m-%d} to {self.days[-1].day:%Y-%m-%d} the "
            f"{counted(self.learners, 'learner')} passed on average {self.days[-1].share_text} "
            f"of the course's {counted(len(self.exercises), 'exercise')}."
        )

    def chart(self) -> Chart:
        return Chart(
            kind="line",
            labels=[f"{day.day:%Y-%m-%d}" for day in self.days],
            series=[
                Series(
                    "Mean share of exercises passed",
                    [day.share for day in self.days],
                    tone="pass",
                    share=True,
                )
            ],
            x_title="Day",
        )

    def exercises_summary(self) -> str:
        if not self.exercises:
            return "The course has no exercises."
        return "; ".join(
            f"{exercise.title}: {passed} of {self.learners}" for exercise, passed in self.exercises
        )

    def exercises_chart(self) -> Chart:
        return Chart(
            kind="bar",
            labels=[exercise.title for exercise, _ in self.exercises],
            series=[Series("Learners passed", [float(n) for _, n in self.exercises], "pass")],
            x_title="Learners who passed it",
            horizontal=True,
        )


def class_progress(*, classroom: Classroom) -> ClassProgress:
    """Per day, how much of the course the class has passed so far: each
    learner's first full score on each exercise, as the mean share of the
    course's exercises per learner."""
    learners = class_learners(classroom=classroom)
    exercises = list(Exercise.objects.filter(course_id=classroom.course_id))
    first_passes = (
        Submission.objects.filter(
            exercise__course_id=classroom.course_id,
            user__in=learners,
            mode=Submission.Mode.SUBMIT,
            status=Submission.Status.COMPLETED,
            gradable=True,
            max_score__gt=0,
            score__gte=F("max_score"),
        )
        .exclude(source=Submission.Source.REGRADE)
        .values("user_id", "exercise_id")
        .annotate(first=Min("created_at"))
        .order_by()
        .values_list("exercise_id", "first")
    )
    on_day: Counter[date] = Counter()
    per_exercise: Counter[int] = Counter()
    for exercise_id, first in first_passes:
        on_day[local_day(first)] += 1
        per_exercise[exercise_id] += 1
    count = learners.count()
    possible = count * len(exercises)
    days: list[ProgressDay] = []
    so_far = 0
    if on_day:
        for day in days_between(min(on_day), max(on_day)):
            so_far += on_day[day]
            days.append(ProgressDay(day, so_far, so_far / possible if possible else None))
    return ClassProgress(
        days=days,
        exercises=[(exercise, per_exercise[exercise.pk]) for exercise in exercises],
        learners=count,
    )


def learners_not_started(*, classroom: Classroom) -> list[User]:
    """The class's learners with no submission and no lesson visit in its course."""
    return list(
        class_learners(classroom=classroom)
        .exclude(submissions__exercise__course_id=classroom.course_id)
        .exclude(lesson_visits__lesson__course_id=classroom.course_id)
    )


def exercise_default(*, classroom: Classroom, exercises: list[Exercise]) -> Exercise | None:
    """The first exercise of the course that a learner of the class has
    submitted, else the first."""
    submitted = set(
        Submission.objects.filter(
            exercise__in=exercises, user__in=class_learners(classroom=classroom)
        )
        .values_list("exercise_id", flat=True)
        .distinct()
        .order_by()
    )
    for exercise in exercises:
        if exercise.pk in submitted:
            return exercise
    return exercises[0] if exercises else None
