"""Account pages (plain for now; the web-app issue styles them)."""

from django import forms
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lumiku.accounts.lockout import LoginLocked, login_failure_record, login_lockout_check, login_success_record
from lumiku.accounts.services import user_create
from lumiku.core.errors import DomainError


class SignupForm(forms.Form):
    name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(max_length=254)
    password = forms.CharField(widget=forms.PasswordInput, max_length=128)


@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_create(**form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("home")
    return render(request, "accounts/signup.html", {"form": form})


class LockoutAuthenticationForm(AuthenticationForm):
    """The login page shares the API's brute-force lockout."""

    def clean(self):
        email = self.cleaned_data.get("username") or ""
        try:
            login_lockout_check(email=email)
        except LoginLocked as exc:
            raise forms.ValidationError(exc.message, code="locked") from None
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            login_failure_record(email=email)
            raise
        login_success_record(email=email)
        return cleaned
