"""These grade YOUR tests: blog/tests.py runs, with `manage.py test blog`,
against the reference blog, where it must pass, and against copies of it with
one bug planted, each of which at least one of your tests must catch."""

from blog_reference import SOURCES
from blog_runner_hidden import run_your_tests


def planted(*changes):
    """The reference with each (file, old, new) change made; each old text occurs once."""
    files = dict(SOURCES)
    for name, old, new in changes:
        assert files[name].count(old) == 1, f"{old!r} must occur once in {name}"
        files[name] = files[name].replace(old, new)
    return tuple(sorted(files.items()))


def assert_pass_on_the_reference():
    assert run_your_tests(planted()) == 0, "your tests must pass on the reference blog first"


def assert_caught(*changes):
    assert_pass_on_the_reference()
    assert run_your_tests(planted(*changes)) not in (0, None)


def test_your_tests_pass_on_the_reference_blog():
    assert_pass_on_the_reference()


def test_your_tests_catch_drafts_shown_to_everyone():
    assert_caught(
        (
            "blog/models.py",
            "return self.filter(published_at__isnull=False, published_at__lte=timezone.now())",
            "return self.all()",
        )
    )


def test_your_tests_catch_posting_without_a_login():
    assert_caught(("blog/views.py", "@login_required\ndef post_create", "def post_create"))


def test_your_tests_catch_an_author_taken_from_the_form():
    assert_caught(
        (
            "blog/forms.py",
            '        fields = ["title", "slug", "body", "published_at"]\n',
            '        fields = ["title", "slug", "body", "published_at", "author"]\n\n'
            "    def __init__(self, *args, **kwargs):\n"
            "        super().__init__(*args, **kwargs)\n"
            '        self.fields["author"].required = False\n',
        ),
        (
            "blog/views.py",
            "            post.author = request.user\n",
            "            if post.author_id is None:\n                post.author = request.user\n",
        ),
    )


def test_your_tests_catch_a_form_exempted_from_csrf():
    assert_caught(
        (
            "blog/views.py",
            "@login_required\ndef post_create",
            "@csrf_exempt\n@login_required\ndef post_create",
        ),
        (
            "blog/views.py",
            "from django.shortcuts import",
            "from django.views.decorators.csrf import csrf_exempt\nfrom django.shortcuts import",
        ),
    )
