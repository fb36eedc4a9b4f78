"""Account pages (plain for now; the web-app issue styles them)."""

from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from lumiku.accounts.lockout import LoginLocked, login_failure_record, login_lockout_check, login_success_record
from lumiku.accounts.services import user_create, user_update_profile
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


@require_http_methods(["POST"])
def language_set(request):
    """Switch the interface language: stored on the account when signed in, in the cookie always
    (so the choice also holds on the login page after signing out)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language.")
    if request.user.is_authenticated:
        user_update_profile(user=request.user, language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response
