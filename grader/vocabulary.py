"""The words of a result, each named once (docs/grading.md, "The result").

A result has a `status` (ResultStatus: pass, fail or error, which is what a
Submission stores as `result_status`), a `verdict` (Verdict: why, in more
detail) and tests, each with a TestStatus. The labels below are what people
read: the history pages use them, and the exercise page gets them as JSON
(`{% verdict_words %}`, grader/templatetags) instead of a copy in its script.
"""

from enum import StrEnum


class ResultStatus(StrEnum):
    PASS = "pass"  # noqa: S105 - a word, not a password
    FAIL = "fail"
    ERROR = "error"


class TestStatus(StrEnum):
    __test__ = False  # a name pytest would otherwise collect

    PASS = "pass"  # noqa: S105 - a word, not a password
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


class Verdict(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    PROCESS_LIMIT = "process_limit"
    CRASHED = "crashed"
    SYNTAX_ERROR = "syntax_error"
    IMPORT_ERROR = "import_error"
    TAMPERED = "tampered"
    TEST_ERROR = "test_error"
    GRADER_ERROR = "grader_error"
    CANCELLED = "cancelled"


# A few words, for lists (the history pages).
VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.PASSED: "Passed",
    Verdict.FAILED: "Failed",
    Verdict.TIMEOUT: "Timed out",
    Verdict.MEMORY_LIMIT: "Memory limit reached",
    Verdict.OUTPUT_LIMIT: "Output limit reached",
    Verdict.PROCESS_LIMIT: "Process limit reached",
    Verdict.CRASHED: "Crashed",
    Verdict.SYNTAX_ERROR: "Syntax error",
    Verdict.IMPORT_ERROR: "Import error",
    Verdict.TAMPERED: "Tests tampered with",
    Verdict.TEST_ERROR: "The exercise's tests are broken",
    Verdict.GRADER_ERROR: "Grader error",
    Verdict.CANCELLED: "Cancelled",
}

# What it means for the learner, in a sentence (the exercise page's verdict line).
VERDICT_MEANINGS: dict[Verdict, str] = {
    Verdict.PASSED: "Passed: every test passes.",
    Verdict.FAILED: "Failed: some tests do not pass yet.",
    Verdict.TIMEOUT: "Timed out: your code ran longer than the time limit.",
    Verdict.MEMORY_LIMIT: "Memory limit: your code used more memory than it may.",
    Verdict.OUTPUT_LIMIT: "Output limit: your code printed more than it may.",
    Verdict.PROCESS_LIMIT: "Process limit: your code started more processes than it may.",
    Verdict.CRASHED: "Crashed: the run stopped before the tests finished.",
    Verdict.SYNTAX_ERROR: "Syntax error: Python could not read your code.",
    Verdict.IMPORT_ERROR: "Import error: your code failed while it was being imported.",
    Verdict.TAMPERED: "Rejected: your code interfered with the tests. It earns no points.",
    Verdict.TEST_ERROR: (
        "The exercise's own tests are broken. This is not your fault and is not counted."
    ),
    Verdict.GRADER_ERROR: (
        "The grader failed. This is not your fault and is not counted: try again."
    ),
    Verdict.CANCELLED: "Cancelled before grading started. It is not counted.",
}

# A test's status in a word, and in one sign: the word and the sign carry the
# meaning, a colour only repeats it.
TEST_STATUS_WORDS: dict[TestStatus, str] = {
    TestStatus.PASS: "passed",
    TestStatus.FAIL: "failed",
    TestStatus.ERROR: "error",
    TestStatus.SKIP: "skipped",
}
TEST_STATUS_ICONS: dict[TestStatus, str] = {
    TestStatus.PASS: "\u2713",
    TestStatus.FAIL: "\u2717",
    TestStatus.ERROR: "!",
    TestStatus.SKIP: "\u2013",
}


def verdict_words() -> dict[str, dict[str, str]]:
    """The words the exercise page's script shows, as it reads them."""
    return {
        "verdicts": {str(verdict): text for verdict, text in VERDICT_MEANINGS.items()},
        "labels": {str(verdict): text for verdict, text in VERDICT_LABELS.items()},
        "test_statuses": {str(status): word for status, word in TEST_STATUS_WORDS.items()},
        "test_icons": {str(status): icon for status, icon in TEST_STATUS_ICONS.items()},
    }
