"""The Markdown of every page, rendered, and the links between pages: links to
the course's own .md files become page URLs, and links that lead nowhere are
problems, at their line in the file."""

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.urls import reverse

from lessons.loader.parse import COURSE_FILE, EXERCISE_FILE, MODULE_FILE, CourseSpec
from lessons.loader.questions import LessonQuestions, question_blocks_find
from lessons.loader.report import Problems
from lessons.markdown_render import ContentError, FrontMatter, RenderedMarkdown, markdown_render

# /courses/<course>/ and /courses/<course>/<lesson>/ (the trailing slash may be left out).
_PAGE_PATH = re.compile(r"^/courses/([^/]+)/?(?:([^/]+)/?)?$")


def courses_render(specs: list[CourseSpec], *, whole_site: bool, problems: Problems) -> None:
    """Render every Markdown body of the courses into their specs' values;
    `whole_site` says no other course exists, so a link to one is a problem."""
    site = _SiteLinks(specs, whole_site=whole_site)
    for spec in specs:
        _course_render(spec, site, problems)


def _file_key(path: Path) -> str:
    # Links are resolved as written (`..` against the folder), not through symlinks.
    return os.path.normpath(path.absolute())


class _SiteLinks:
    """The pages the content being checked will have, to resolve links to them."""

    def __init__(self, specs: list[CourseSpec], *, whole_site: bool) -> None:
        self.whole_site = whole_site
        # Course file -> (course slug, URL of its page).
        self.files: dict[str, tuple[str, str]] = {}
        # Course slug -> the slugs of its lessons.
        self.lessons: dict[str, set[str]] = {}
        self.unreadable: set[str] = set()
        for spec in specs:
            course_url = reverse("learning:course", kwargs={"course_slug": spec.slug})
            self.files[_file_key(spec.folder / COURSE_FILE)] = (spec.slug, course_url)
            self.lessons[spec.slug] = set()
            self.unreadable.update(_file_key(path) for path in spec.unreadable)
            for module in spec.modules:
                self.files[_file_key(module.folder / MODULE_FILE)] = (spec.slug, course_url)
                for lesson in module.lessons:
                    url = reverse(
                        "learning:lesson",
                        kwargs={"course_slug": spec.slug, "lesson_slug": lesson.slug},
                    )
                    self.files[_file_key(lesson.path)] = (spec.slug, url)
                    self.lessons[spec.slug].add(lesson.slug)

    def unreadable_has(self, target: str) -> bool:
        """Whether the file is, or is in, one that could not be parsed (already reported)."""
        return any(target == path or target.startswith(path + os.sep) for path in self.unreadable)


class _LinkResolver:
    """Rewrites links to the course's own .md files into page URLs and reports
    those that lead nowhere, at their line in the file."""

    def __init__(
        self,
        *,
        path: Path,
        front: FrontMatter,
        course: CourseSpec,
        site: _SiteLinks,
        problems: Problems,
    ) -> None:
        self.path = path
        self.front = front
        self.course = course
        self.site = site
        self.problems = problems

    def __call__(self, href: str, line: int) -> str:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path:
            # http:, mailto: and the like, and in-page anchors.
            return href
        if parts.path.startswith("/"):
            self._page_check(href, parts.path, line)
            return href
        if not parts.path.endswith(".md"):
            return href
        target = _file_key(self.path.parent / unquote(parts.path))
        found = self.site.files.get(target)
        if found is not None and found[0] == self.course.slug:
            return found[1] + (f"#{parts.fragment}" if parts.fragment else "")
        if not self.site.unreadable_has(target):
            self._error(line, f"link to {href!r} does not resolve to a lesson of this course")
        return href

    def _page_check(self, href: str, path: str, line: int) -> None:
        if not path.startswith("/courses/"):
            return
        match = _PAGE_PATH.match(path)
        if match is None:
            self._error(line, f"link to {href!r} is not a course or lesson page")
            return
        course_slug, lesson_slug = match.groups()
        lessons = self.site.lessons.get(course_slug)
        if lessons is None:
            # When one course is checked, the others are not known here.
            if self.site.whole_site:
                self._error(line, f"link to {href!r}: there is no course {course_slug!r}")
        elif lesson_slug is not None and lesson_slug not in lessons:
            self._error(
                line, f"link to {href!r}: course {course_slug!r} has no lesson {lesson_slug!r}"
            )

    def _error(self, line: int, message: str) -> None:
        self.problems.add(ContentError(self.front.path, self.front.body_line - 1 + line, message))


def _course_render(spec: CourseSpec, site: _SiteLinks, problems: Problems) -> None:
    def render(path: Path, front: FrontMatter) -> RenderedMarkdown:
        # Questions are graded per lesson; anywhere else they would be shown as code.
        for block in question_blocks_find(front):
            problems.add(
                ContentError(front.path, block.line, "questions belong in lessons, not here")
            )
        resolver = _LinkResolver(path=path, front=front, course=spec, site=site, problems=problems)
        return markdown_render(front.body, link_resolver=resolver)

    def lesson_render(path: Path, front: FrontMatter) -> tuple[RenderedMarkdown, list[Any]]:
        resolver = _LinkResolver(path=path, front=front, course=spec, site=site, problems=problems)

        def field_render(text: str, line: int) -> str:
            # A link on the field's n-th line is at file line `line + n - 1`.
            def shifted(href: str, at: int) -> str:
                return resolver(href, line - front.body_line + at)

            return markdown_render(text, link_resolver=shifted).html

        questions = LessonQuestions(front, problems, field_render)
        rendered = markdown_render(
            front.body, link_resolver=resolver, question_fence=questions.fence
        )
        questions.rendered_check()
        return rendered, questions.questions

    spec.values["body_html"] = render(spec.folder / COURSE_FILE, spec.front).html
    for module in spec.modules:
        has_body = bool(module.front.body.strip())
        module.values["body_html"] = (
            render(module.folder / MODULE_FILE, module.front).html if has_body else ""
        )
        for lesson in module.lessons:
            rendered, questions = lesson_render(lesson.path, lesson.front)
            lesson.values["body_html"] = rendered.html
            lesson.values["toc_html"] = rendered.toc_html
            lesson.values["questions"] = questions
    for exercise in spec.exercises.values():
        exercise_md = exercise.folder / EXERCISE_FILE
        exercise.values["instructions_html"] = render(exercise_md, exercise.front).html
