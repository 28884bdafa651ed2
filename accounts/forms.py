"""Sign-up: Django's UserCreationForm plus an email address, which the
password reset needs to reach the learner."""

from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.models import User


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Only used to send you a link if you forget your password.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocapitalize="none", autocomplete="username")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # One account per address: a reset link sent to an address shared by two
        # accounts would let whoever reads it take over either.
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email address exists already. Log in, or reset its password."
            )
        return str(email)


EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "Never")]


class ApiTokenForm(forms.Form):
    """Name and lifetime of a new API token; instructors may also let it submit for learners."""

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What uses it, e.g. “laptop” or “CI of my course”.",
    )
    expires = forms.ChoiceField(label="Expires after", choices=EXPIRY_CHOICES, initial="90")
    submit_for_learners = forms.BooleanField(
        label="May submit on behalf of the learners of the courses I teach",
        required=False,
    )

    def __init__(self, *args: Any, instructor: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not instructor:
            del self.fields["submit_for_learners"]
