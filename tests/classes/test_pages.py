"""The class pages with the named users of class_world: ines teaches the
class, otto teaches another course, lea is in the class, leo in another class
of the same course (tests/support/classes.py)."""

from datetime import UTC, datetime
from urllib.parse import parse_qs

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from classes.models import Classroom, Deadline, Extension, Membership
from classes.services import instructor_add, joining_set
from tests.support.classes import ClassWorld
from tests.support.clients import logged_in

pytestmark = pytest.mark.django_db


def classroom_url(classroom: Classroom, name: str = "classroom", **kwargs: object) -> str:
    return reverse(f"classes:{name}", kwargs={"classroom_id": classroom.pk, **kwargs})


def assert_login_redirect(response: HttpResponseBase, url: str) -> None:
    """Sent to log in, and back to `url` afterwards."""
    assert response.status_code == 302
    login, _, query = response["Location"].partition("?")
    assert login == reverse("login")
    assert parse_qs(query)["next"] == [url]


# --- /teach/ ---------------------------------------------------------------------------------


def test_teach_needs_a_login(client: Client, class_world: ClassWorld) -> None:
    url = reverse("classes:teach")
    assert_login_redirect(client.get(url), url)
    assert_login_redirect(client.post(url, {"name": "x"}), url)


def test_teach_lists_the_classes_the_instructor_teaches(class_world: ClassWorld) -> None:
    Membership.objects.create(classroom=class_world.classroom, user=class_world.other_instructor)

    response = logged_in(class_world.class_instructor).get(reverse("classes:teach"))

    assert response.status_code == 200
    text = response.text
    for classroom in (class_world.classroom, class_world.other_classroom):
        assert classroom.name in text
        assert classroom.join_code in text
        assert classroom_url(classroom) in text
    assert "Otto&#x27;s group" not in text and "Otto's group" not in text
    row = text.split(f'data-classroom="{class_world.classroom.pk}"')[1].split("</tr>")[0]
    assert "Demo course" in row
    assert "<td>2</td>" in row  # lea and otto
    # A form to create a class for the one course ines teaches.
    assert text.count('class="create-class"') == 1
    assert 'data-course="demo"' in text
    assert 'type="date"' in text


def test_teach_shows_another_instructor_only_their_own(class_world: ClassWorld) -> None:
    text = logged_in(class_world.other_instructor).get(reverse("classes:teach")).text

    assert "Otto" in text
    assert class_world.classroom.name not in text
    assert class_world.classroom.join_code not in text
    assert 'data-course="other"' in text and 'data-course="demo"' not in text


@pytest.mark.parametrize("name", ["class_learner", "other_learner"])
def test_teach_tells_someone_who_teaches_nothing_how_to(class_world: ClassWorld, name: str) -> None:
    response = logged_in(class_world.users[name]).get(reverse("classes:teach"))

    assert response.status_code == 200
    assert 'data-testid="teach-nothing"' in response.text
    assert "admin" in response.text
    assert "<form" not in response.text.split("<main")[1]


def test_a_co_instructor_sees_the_class_but_creates_none(class_world: ClassWorld) -> None:
    helper = User.objects.create_user("cora")
    instructor_add(classroom=class_world.classroom, username="cora")

    text = logged_in(helper).get(reverse("classes:teach")).text

    assert class_world.classroom.name in text
    assert class_world.other_classroom.name not in text
    assert 'class="create-class"' not in text


def test_creating_a_class(class_world: ClassWorld) -> None:
    response = logged_in(class_world.class_instructor).post(
        reverse("classes:teach"),
        {
            "course": class_world.course.pk,
            "name": "Spring group",
            "starts_on": "2030-03-01",
            "ends_on": "2030-06-30",
        },
    )

    created = Classroom.objects.get(name="Spring group")
    assert response.status_code == 302
    assert response["Location"] == classroom_url(created)
    assert created.course == class_world.course
    assert list(created.instructors.all()) == [class_world.class_instructor]
    assert str(created.starts_on) == "2030-03-01"
    page = logged_in(class_world.class_instructor).get(response["Location"])
    assert "Spring group" in page.text


def test_a_refused_class_is_shown_on_its_form_and_nothing_is_stored(
    class_world: ClassWorld,
) -> None:
    before = Classroom.objects.count()
    client = logged_in(class_world.class_instructor)
    course = class_world.course.pk

    empty = client.post(reverse("classes:teach"), {"course": course, "name": ""})
    reversed_dates = client.post(
        reverse("classes:teach"),
        {"course": course, "name": "Late", "starts_on": "2030-06-01", "ends_on": "2030-01-01"},
    )

    assert empty.status_code == 400
    assert f'id="id_course{course}_name_error"' in empty.text
    assert reversed_dates.status_code == 400
    assert "The class ends before it starts" in reversed_dates.text
    assert 'value="Late"' in reversed_dates.text  # what was typed stays
    assert Classroom.objects.count() == before


@pytest.mark.parametrize("name", ["other_instructor", "class_learner"])
def test_only_a_course_instructor_creates_a_class_for_it(
    class_world: ClassWorld, name: str
) -> None:
    before = Classroom.objects.count()

    response = logged_in(class_world.users[name]).post(
        reverse("classes:teach"), {"course": class_world.course.pk, "name": "Sneaky"}
    )

    assert response.status_code == 403
    assert "Only an instructor of" in response.text
    assert Classroom.objects.count() == before


# --- /teach/classes/<id>/ ------------------------------------------------------------------


def test_the_class_page_shows_the_code_link_people_and_links(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    Deadline.objects.create(
        classroom=classroom,
        exercise=class_world.exercise,
        due_at=datetime(2030, 1, 15, 16, 0, tzinfo=UTC),
    )

    client = logged_in(class_world.class_instructor)
    client.cookies["lectern_tz"] = "Europe/Paris"
    response = client.get(classroom_url(classroom))

    assert response.status_code == 200
    text = response.text
    assert f'data-testid="join-code">{classroom.join_code}<' in text
    assert f'value="http://testserver/join/{classroom.join_code}/"' in text
    assert "Joining is <strong>open</strong>" in text
    assert "Close joining" in text
    assert 'data-learner="lea"' in text
    assert 'data-learner="leo"' not in text
    assert "<li>ines (you)</li>" in text
    assert classroom_url(classroom, "learner_remove", user_id=class_world.class_learner.pk) in text
    for name in ("gradebook", "analytics", "regrades"):
        assert reverse(f"teaching:{name}", kwargs={"classroom_id": classroom.pk}) in text
    # Due dates per module and exercise, in the visitor's zone, and the forms.
    row = text.split('data-target="exercise:demo-add"')[1].split("</tr>")[0]
    assert "2030-01-15 17:00 CET" in row
    assert "Clear" in row
    assert 'data-target="module:basics"' in text and 'data-target="module:more"' in text
    assert 'type="datetime-local"' in text
    assert '<option value="lea">' not in text  # learners are chosen by id
    assert f'<option value="{class_world.class_learner.pk}">lea</option>' in text


@pytest.mark.parametrize("name", ["other_instructor", "class_learner", "other_learner"])
def test_the_class_page_is_a_404_to_anyone_who_does_not_teach_it(
    class_world: ClassWorld, name: str
) -> None:
    classroom = class_world.classroom
    client = logged_in(class_world.users[name])
    lea = class_world.class_learner.pk
    target = {"target": "exercise:demo-add", "due_at": "2030-01-15T17:00"}

    assert client.get(classroom_url(classroom)).status_code == 404
    assert (
        client.post(classroom_url(classroom, "joining"), {"joining_open": "0"}).status_code == 404
    )
    assert (
        client.post(classroom_url(classroom, "instructor_add"), {"username": name}).status_code
        == 404
    )
    remove = classroom_url(classroom, "learner_remove", user_id=lea)
    assert client.get(remove).status_code == 404
    assert client.post(remove).status_code == 404
    assert client.post(classroom_url(classroom, "due_date_set"), target).status_code == 404
    assert (
        client.post(
            classroom_url(classroom, "extension_set"), {**target, "learner": lea}
        ).status_code
        == 404
    )
    classroom.refresh_from_db()
    assert classroom.joining_open
    assert classroom.instructors.count() == 1
    assert classroom.memberships.filter(user_id=lea).exists()
    assert not Deadline.objects.exists() and not Extension.objects.exists()


def test_the_class_pages_need_a_login(client: Client, class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    for url in (
        classroom_url(classroom),
        classroom_url(classroom, "learner_remove", user_id=class_world.class_learner.pk),
    ):
        assert_login_redirect(client.get(url), url)
    for name in ("joining", "instructor_add", "due_date_set", "extension_set"):
        url = classroom_url(classroom, name)
        assert_login_redirect(client.post(url, {}), url)
    assert classroom.instructors.count() == 1


def test_a_missing_class_is_a_404(class_world: ClassWorld) -> None:
    url = reverse("classes:classroom", kwargs={"classroom_id": 999999})
    assert logged_in(class_world.class_instructor).get(url).status_code == 404


def test_closing_and_opening_joining(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    client = logged_in(class_world.class_instructor)

    closed = client.post(classroom_url(classroom, "joining"), {"joining_open": "0"}, follow=True)
    classroom.refresh_from_db()
    assert not classroom.joining_open
    assert closed.redirect_chain == [(classroom_url(classroom) + "#joining", 302)]
    assert "Joining is closed" in closed.text
    assert "Open joining" in closed.text

    client.post(classroom_url(classroom, "joining"), {"joining_open": "1"})
    classroom.refresh_from_db()
    assert classroom.joining_open


def test_adding_a_co_instructor_who_then_sees_the_class(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    client = logged_in(class_world.class_instructor)

    response = client.post(classroom_url(classroom, "instructor_add"), {"username": "otto"})

    assert response.status_code == 302
    assert class_world.other_instructor in classroom.instructors.all()
    page = logged_in(class_world.other_instructor).get(classroom_url(classroom))
    assert page.status_code == 200
    assert "<li>otto (you)</li>" in page.text


@pytest.mark.parametrize(
    ("username", "status", "words"),
    [("nobody", 404, "There is no user called"), ("lea", 409, "is a learner of this class")],
)
def test_a_refused_co_instructor_is_shown_on_the_form(
    class_world: ClassWorld, username: str, status: int, words: str
) -> None:
    classroom = class_world.classroom

    response = logged_in(class_world.class_instructor).post(
        classroom_url(classroom, "instructor_add"), {"username": username}
    )

    assert response.status_code == status
    assert words in response.text
    assert f'value="{username}"' in response.text
    assert classroom.instructors.count() == 1


def test_removing_a_learner_asks_first(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    lea = class_world.class_learner
    client = logged_in(class_world.class_instructor)
    url = classroom_url(classroom, "learner_remove", user_id=lea.pk)

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Remove lea from “Autumn group”?" in confirm.text
    assert classroom.memberships.filter(user=lea).exists()  # GET removes nobody

    removed = client.post(url, follow=True)
    assert not classroom.memberships.filter(user=lea).exists()
    assert "lea is no longer in this class" in removed.text
    assert 'data-learner="lea"' not in removed.text
    assert client.post(url).status_code == 404


def test_a_learner_of_another_class_cannot_be_removed_from_this_one(
    class_world: ClassWorld,
) -> None:
    leo = class_world.other_learner
    url = classroom_url(class_world.classroom, "learner_remove", user_id=leo.pk)

    assert logged_in(class_world.class_instructor).post(url).status_code == 404
    assert class_world.other_classroom.memberships.filter(user=leo).exists()


def test_setting_and_clearing_a_due_date_in_the_visitors_time_zone(
    class_world: ClassWorld,
) -> None:
    classroom = class_world.classroom
    client = logged_in(class_world.class_instructor)
    client.cookies["lectern_tz"] = "Europe/Paris"
    url = classroom_url(classroom, "due_date_set")

    response = client.post(url, {"target": "module:basics", "due_at": "2030-07-01T18:30"})

    assert response.status_code == 302
    assert response["Location"] == classroom_url(classroom) + "#due-dates"
    deadline = Deadline.objects.get(classroom=classroom)
    assert deadline.module is not None and deadline.module.slug == "basics"
    # 18:30 in Paris in summer is 16:30 UTC.
    assert deadline.due_at == datetime(2030, 7, 1, 16, 30, tzinfo=UTC)
    page = client.get(classroom_url(classroom)).text
    assert "2030-07-01 18:30 CEST" in page.split('data-target="module:basics"')[1]

    client.post(url, {"target": "module:basics", "due_at": "2030-07-02T09:00"})
    assert Deadline.objects.get(classroom=classroom).due_at == datetime(
        2030, 7, 2, 7, 0, tzinfo=UTC
    )

    client.post(url, {"target": "module:basics", "clear": "1"})
    assert not Deadline.objects.filter(classroom=classroom).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"target": "exercise:demo-add", "due_at": ""},
        {"target": "exercise:demo-add", "due_at": "next tuesday"},
        {"target": "exercise:other-add", "due_at": "2030-01-15T17:00"},
        {"target": "", "due_at": "2030-01-15T17:00"},
    ],
)
def test_a_due_date_without_a_time_or_target_is_refused_on_the_form(
    class_world: ClassWorld, data: dict[str, str]
) -> None:
    classroom = class_world.classroom

    response = logged_in(class_world.class_instructor).post(
        classroom_url(classroom, "due_date_set"), data
    )

    assert response.status_code == 400
    assert "field--invalid" in response.text
    assert not Deadline.objects.exists()


def test_granting_and_clearing_an_extension(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    lea = class_world.class_learner
    client = logged_in(class_world.class_instructor)
    url = classroom_url(classroom, "extension_set")

    response = client.post(
        url, {"learner": lea.pk, "target": "exercise:demo-add", "due_at": "2030-01-20T12:00"}
    )

    assert response.status_code == 302
    extension = Extension.objects.get(classroom=classroom)
    assert extension.user == lea
    assert extension.granted_by == class_world.class_instructor
    assert extension.due_at == datetime(2030, 1, 20, 12, 0, tzinfo=UTC)
    page = client.get(classroom_url(classroom)).text
    row = page.split('data-testid="extensions"')[1].split("</table>")[0]
    assert 'data-learner="lea" data-target="exercise:demo-add"' in row
    assert "2030-01-20 12:00 UTC" in row

    client.post(url, {"learner": lea.pk, "target": "exercise:demo-add", "clear": "1"})
    assert not Extension.objects.exists()


def test_an_extension_is_only_for_a_learner_of_the_class(class_world: ClassWorld) -> None:
    response = logged_in(class_world.class_instructor).post(
        classroom_url(class_world.classroom, "extension_set"),
        {
            "learner": class_world.other_learner.pk,
            "target": "module:basics",
            "due_at": "2030-01-20T12:00",
        },
    )

    assert response.status_code == 400
    assert not Extension.objects.exists()


# --- Joining ---------------------------------------------------------------------------------


def join_code_url(code: str) -> str:
    return reverse("classes:join_code", kwargs={"code": code})


def test_joining_needs_a_login_and_comes_back(client: Client, class_world: ClassWorld) -> None:
    code = class_world.classroom.join_code
    for url in (reverse("classes:join"), join_code_url(code)):
        assert_login_redirect(client.get(url), url)
        assert_login_redirect(client.post(url, {"code": code}), url)
    assert class_world.classroom.memberships.count() == 1


def test_joining_with_a_typed_code(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    leo = class_world.other_learner
    client = logged_in(leo)
    code = classroom.join_code

    assert client.get(reverse("classes:join")).status_code == 200
    response = client.post(
        reverse("classes:join"), {"code": f"{code[:4].lower()}-{code[4:].lower()}"}, follow=True
    )

    assert classroom.memberships.filter(user=leo).exists()
    assert response.redirect_chain == [(class_world.course.get_absolute_url(), 302)]
    assert "You are in the class “Autumn group”" in response.text


@pytest.mark.parametrize(
    ("name", "code", "status", "words"),
    [
        ("other_learner", "ZZZZZZZZ", 404, "No class has that code"),
        ("other_learner", None, 403, "no longer takes new learners"),
        ("class_instructor", None, 409, "You teach this class"),
    ],
)
def test_a_refused_join_says_why(
    class_world: ClassWorld, name: str, code: str | None, status: int, words: str
) -> None:
    classroom = joining_set(classroom=class_world.classroom, is_open=name == "class_instructor")
    before = Membership.objects.count()
    client = logged_in(class_world.users[name])
    code = code or classroom.join_code

    typed = client.post(reverse("classes:join"), {"code": code})
    linked = client.post(join_code_url(code))
    shown = client.get(join_code_url(code))

    for response in (typed, linked, shown):
        assert response.status_code == status
        assert words in response.text
    assert 'data-testid="join-refused"' in shown.text
    assert Membership.objects.count() == before


def test_the_invite_link_shows_the_class_and_a_get_never_joins(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    leo = class_world.other_learner
    client = logged_in(leo)

    response = client.get(join_code_url(classroom.join_code))

    assert response.status_code == 200
    assert "Join “Autumn group”" in response.text
    assert "Demo course" in response.text
    assert f'<form method="post" action="{join_code_url(classroom.join_code)}">' in response.text
    assert not classroom.memberships.filter(user=leo).exists()

    joined = client.post(join_code_url(classroom.join_code))
    assert joined.status_code == 302
    assert joined["Location"] == class_world.course.get_absolute_url()
    assert classroom.memberships.filter(user=leo).exists()
    again = client.get(join_code_url(classroom.join_code))
    assert 'data-testid="join-state">You are in this class' in again.text


def test_joining_takes_a_csrf_token(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    leo = class_world.other_learner
    client = logged_in(leo, enforce_csrf_checks=True)
    url = join_code_url(classroom.join_code)

    assert client.post(url).status_code == 403
    assert client.post(reverse("classes:join"), {"code": classroom.join_code}).status_code == 403
    assert not classroom.memberships.filter(user=leo).exists()

    client.get(url)  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert classroom.memberships.filter(user=leo).exists()


def test_the_instructor_forms_take_a_csrf_token(class_world: ClassWorld) -> None:
    classroom = class_world.classroom
    client = logged_in(class_world.class_instructor, enforce_csrf_checks=True)

    for name, data in [
        ("joining", {"joining_open": "0"}),
        ("instructor_add", {"username": "otto"}),
        ("due_date_set", {"target": "module:basics", "due_at": "2030-01-15T17:00"}),
    ]:
        assert client.post(classroom_url(classroom, name), data).status_code == 403
    assert client.post(reverse("classes:teach"), {"course": 1, "name": "x"}).status_code == 403
    remove = classroom_url(classroom, "learner_remove", user_id=class_world.class_learner.pk)
    assert client.post(remove).status_code == 403
    classroom.refresh_from_db()
    assert classroom.joining_open
    assert classroom.instructors.count() == 1
    assert classroom.memberships.count() == 1
    assert not Deadline.objects.exists()


# --- The header ------------------------------------------------------------------------------


def nav(client: Client) -> str:
    return (
        client.get(reverse("learning:course_list"))
        .text.split('aria-label="Site"')[1]
        .split("</nav>")[0]
    )


def test_the_header_links_teach_for_instructors_and_join_for_everyone_signed_in(
    client: Client, class_world: ClassWorld
) -> None:
    teach = f'href="{reverse("classes:teach")}"'
    join = f'href="{reverse("classes:join")}"'
    helper = User.objects.create_user("cora")
    instructor_add(classroom=class_world.classroom, username="cora")

    for user in (class_world.class_instructor, class_world.other_instructor, helper):
        header = nav(logged_in(user))
        assert teach in header and join in header
    for user in (class_world.class_learner, class_world.other_learner):
        header = nav(logged_in(user))
        assert teach not in header and join in header
    anonymous = nav(client)
    assert teach not in anonymous and join not in anonymous
