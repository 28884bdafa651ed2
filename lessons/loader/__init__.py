"""Load course folders (docs/authoring.md) into the database.

Two phases. First every file is read, parsed, rendered and checked without
touching the database, collecting every problem found, so an author sees all
of them at once (check.content_check, which `lint_lessons` uses on its own).
Then, only if there were none, one transaction brings the database in line
with the folders (sync.content_load, sync.course_load).

    report.py           the problems found (Problems, ContentInvalid) and LoadReport
    parse.py            files and front matter into course specs; the outline's checks
    exercise_checks.py  an exercise's front matter checked against its files
    links.py            Markdown rendered; links between pages resolved and checked
    check.py            the first phase: parse, then render (ContentCheck)
    sync.py             the second phase, the only module that writes to the database
"""
