"""The forms of the class pages (classes/views.py). They check the shape of
what was typed; classes.services decides the rest, and its refusals come back
to the form that sent them (RefusableForm.add_refusal)."""

from datetime import datetime
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.models import User

from config.refusals import Refused
from lessons.models import Course, Exercise, Module

# What a browser's <input type="datetime-local"> sends, and shows back.
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class RefusableForm(forms.Form):
    # The service's name of a field, where this form calls it differently.
    refusal_fields: ClassVar[dict[str, str]] = {}

    def add_refusal(self, refusal: Refused) -> None:
        """Show a service's refusal on the field it names, else on the whole form."""
        for name in refusal.fields:
            field = self.refusal_fields.get(name, name)
            if field in self.fields:
                self.add_error(field, refusal.message)
                return
        self.add_error(None, refusal.message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_LOCAL)


def due_at_field(label: str = "Due") -> forms.DateTimeField:
    # A naive time typed in the form is read in the current time zone, the
    # visitor's (config/time_zone.py), as Django's DateTimeField does.
    return forms.DateTimeField(
        label=label,
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=DateTimeLocalInput(),
    )


class ClassroomCreateForm(RefusableForm):
    course = forms.ModelChoiceField(queryset=Course.objects.all(), widget=forms.HiddenInput)
    name = forms.CharField(
        label="Name of the class",
        max_length=200,
        help_text="What you and your learners call it, e.g. “Autumn 2025, Tuesday group”.",
    )
    starts_on = forms.DateField(label="Starts on (optional)", required=False, widget=DateInput())
    ends_on = forms.DateField(label="Ends on (optional)", required=False, widget=DateInput())


class JoinForm(RefusableForm):
    code = forms.CharField(
        label="Join code",
        max_length=40,
        help_text="The 8 letters and digits your instructor gave you; dashes and spaces are fine.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )


class JoiningForm(forms.Form):
    joining_open = forms.TypedChoiceField(
        choices=[("1", "open"), ("0", "closed")], coerce=lambda value: value == "1"
    )


class InstructorAddForm(RefusableForm):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="They need an account on this site. They teach this class only, not the course.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )


def target_choices(
    *, modules: list[Module], exercises: list[Exercise]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The module-or-exercise a due date is for, as "module:<slug>" or "exercise:<slug>"."""
    return [
        ("Modules", [(f"module:{module.slug}", module.title) for module in modules]),
        ("Exercises", [(f"exercise:{exercise.slug}", exercise.title) for exercise in exercises]),
    ]


class DueDateForm(RefusableForm):
    """A due date for a module or an exercise; `clear` takes it away instead."""

    refusal_fields: ClassVar[dict[str, str]] = {"module": "target", "exercise": "target"}

    target = forms.ChoiceField(label="For")
    due_at = due_at_field()
    clear = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, modules: list[Module], exercises: list[Exercise], **kwargs: Any
    ) -> None:
        # Both forms are on the class page: ids of their own.
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")
        super().__init__(*args, **kwargs)
        target = self.fields["target"]
        assert isinstance(target, forms.ChoiceField)
        target.choices = target_choices(modules=modules, exercises=exercises)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        cleared = self.cleaned_data.get("clear")
        if not cleared and self.cleaned_data.get("due_at") is None and "due_at" not in self.errors:
            self.add_error("due_at", "Give the date and time it is due.")
        return cleaned

    def target_slugs(self) -> dict[str, str | None]:
        """The service's module_slug and exercise_slug, one of them set."""
        kind, _, slug = self.cleaned_data["target"].partition(":")
        return {
            "module_slug": slug if kind == "module" else None,
            "exercise_slug": slug if kind == "exercise" else None,
        }

    def due_at_value(self) -> datetime | None:
        """The date to store: None clears it."""
        if self.cleaned_data.get("clear"):
            return None
        due_at: datetime = self.cleaned_data["due_at"]
        return due_at


class ExtensionForm(DueDateForm):
    """One learner's own due date for a module or an exercise."""

    learner = forms.TypedChoiceField(label="Learner", coerce=int)
    field_order = ["learner", "target", "due_at"]

    def __init__(
        self,
        *args: Any,
        learners: list[User],
        modules: list[Module],
        exercises: list[Exercise],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, modules=modules, exercises=exercises, **kwargs)
        learner = self.fields["learner"]
        assert isinstance(learner, forms.ChoiceField)
        learner.choices = [(str(user.pk), user.get_username()) for user in learners]
        self.fields["due_at"].label = "Due for this learner"
