"""The named users of instructor tests (issue 16): for every page and endpoint,
an instructor of the class, an instructor of another course, a learner of the
class and a learner of another class, over the demo course (demo-add) and a
second course for the other instructor; and an instructor of the same course
who does not teach the class."""

from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User

from classes.models import Classroom
from classes.services import classroom_create, classroom_join
from lessons.loader.sync import content_load
from lessons.models import Course, Exercise
from tests.support.courses import demo_course_files, tree_write

PASSWORD = "class-password-1"


@dataclass
class ClassWorld:
    course: Course
    exercise: Exercise
    classroom: Classroom
    # Another class of the same course, taught by `class_instructor` too.
    other_classroom: Classroom
    other_course: Course
    class_instructor: User
    other_instructor: User
    class_learner: User
    other_learner: User
    course_colleague: User

    @property
    def users(self) -> dict[str, User]:
        return {
            "class_instructor": self.class_instructor,
            "other_instructor": self.other_instructor,
            "class_learner": self.class_learner,
            "other_learner": self.other_learner,
            "course_colleague": self.course_colleague,
        }


def class_world_make(root: Path) -> ClassWorld:
    tree_write(root, demo_course_files())
    tree_write(root, demo_course_files(slug="other", exercise="other-add"))
    content_load(root=root)
    course = Course.objects.get(slug="demo")
    other_course = Course.objects.get(slug="other")
    users = {
        name: User.objects.create_user(name, f"{name}@example.com", PASSWORD)
        for name in ("ines", "otto", "lea", "leo", "carl")
    }
    course.instructors.add(users["ines"], users["carl"])
    other_course.instructors.add(users["otto"])
    classroom = classroom_create(course=course, name="Autumn group", created_by=users["ines"])
    other_classroom = classroom_create(
        course=course, name="Evening group", created_by=users["ines"]
    )
    classroom_create(course=other_course, name="Otto's group", created_by=users["otto"])
    classroom_join(user=users["lea"], code=classroom.join_code)
    classroom_join(user=users["leo"], code=other_classroom.join_code)
    return ClassWorld(
        course=course,
        exercise=Exercise.objects.get(slug="demo-add"),
        classroom=classroom,
        other_classroom=other_classroom,
        other_course=other_course,
        class_instructor=users["ines"],
        other_instructor=users["otto"],
        class_learner=users["lea"],
        other_learner=users["leo"],
        course_colleague=users["carl"],
    )
