"""The files a learner sends for an exercise, checked the same way for a
submission (grader) and for a draft (lessons): accepted names, count and size
limits, one error code for each fault. Only a draft may be empty: a learner
may clear a file while editing."""

from collections.abc import Mapping
from pathlib import PurePosixPath

from django.conf import settings

from config.refusals import Refused
from lessons.models import Exercise

FILE_NAME_MAX = 200


def learner_files_check(
    *,
    exercise: Exercise,
    files: object,
    kind: str,
    refusal: type[Refused],
    allow_empty: bool = False,
) -> dict[str, str]:
    """`files` as a dict when the exercise takes them; raises `refusal` (the
    caller's own kind of Refused) saying what to fix, with `fields` naming each
    file at fault. `kind` ("submission", "draft") names it in messages."""
    accepted = list(exercise.accepted_files)
    if not isinstance(files, Mapping):
        raise refusal(
            "invalid_files", 'Send the files as an object of file name to text: {"app.py": "..."}.'
        )
    empty = all(isinstance(text, str) and not text.strip() for text in files.values())
    if not allow_empty and (not files or empty):
        raise refusal(
            "empty_submission",
            f"The {kind} is empty: write your code in {', '.join(accepted)}.",
        )
    if len(files) > settings.SUBMISSION_MAX_FILES:
        raise refusal(
            "too_many_files",
            f"A {kind} may hold at most {settings.SUBMISSION_MAX_FILES} files; "
            f"this one has {len(files)}.",
        )
    total = 0
    problems: dict[str, str] = {}
    for name, text in files.items():
        if not isinstance(name, str) or not isinstance(text, str):
            raise refusal("invalid_files", "Every file name and file content must be text.")
        problem = _file_name_problem(name, accepted)
        if problem:
            problems[name] = problem
            continue
        try:
            total += len(text.encode("utf-8"))
        except UnicodeEncodeError:
            problems[name] = "contains characters that are not valid UTF-8 text"
    for name in files:
        for parent in PurePosixPath(str(name)).parents:
            if str(parent) in files:
                problems[str(parent)] = f"is a file, and also the folder of {name!r}"
    if problems:
        name, problem = next(iter(problems.items()))
        code = "undecodable_file" if "UTF-8" in problem else "invalid_file_name"
        raise refusal(code, f"{name!r} {problem}.", fields=problems)
    if total > settings.SUBMISSION_MAX_BYTES:
        raise refusal(
            "submission_too_large",
            f"The {kind} is {total // 1024} KiB; the limit is "
            f"{settings.SUBMISSION_MAX_BYTES // 1024} KiB in total.",
            status=413,
        )
    return dict(files)


def file_name_problem(name: str) -> str:
    """What is wrong with `name` as the path of a learner's file ("" when
    nothing): the rules an exercise's declared files (lessons/loader/exercise_checks.py)
    and a learner's submitted ones share."""
    path = PurePosixPath(name)
    if not name or "\\" in name or any(ord(char) < 32 or ord(char) == 127 for char in name):
        return "is not a valid file name (no control characters or backslashes)"
    if len(name) > FILE_NAME_MAX:
        return f"is longer than {FILE_NAME_MAX} characters"
    if path.is_absolute():
        return "is an absolute path; use a name relative to the exercise, like app.py"
    if ".." in path.parts:
        return "contains '..'; file names may not leave the exercise folder"
    return ""


def _file_name_problem(name: str, accepted: list[str]) -> str:
    if problem := file_name_problem(name):
        return problem
    if name not in accepted:
        return f"is not a file of this exercise; it accepts: {', '.join(accepted)}"
    return ""
