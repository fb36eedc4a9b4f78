"""Account pages: sign up, log in (with the API's brute-force lockout), password reset, language switch.

Every form that can be hammered (sign up, log in, password reset) counts its POSTs against the same
rate-limit scopes and counters as the API (lumiku.core.throttling); a refusal is shown on the form.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lumiku.accounts.lockout import LoginLocked, login_failure_record, login_lockout_check, login_success_record
from lumiku.accounts.services import user_create, user_update_profile
from lumiku.accounts.tokens import user_logout_everywhere
from lumiku.core.errors import DomainError
from lumiku.core.forms import form_add_domain_error
from lumiku.core.pages import safe_redirect_target
from lumiku.core.throttling import rate_limit_wait

TOO_MANY_STATUS = 429


def _too_many_message(wait: int) -> str:
    minutes = max(1, round(wait / 60))
    return _("Too many attempts. Please try again in %(minutes)s minute(s).") % {"minutes": minutes}


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name or shop name"), max_length=150, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=gettext_lazy("Password"), max_length=128, strip=False,
                               help_text=gettext_lazy("At least 8 characters; not only numbers."),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    # Service field names → form fields, so a service's validation error lands on its field.
    # (bandit B105 takes the "password" field name for a hard-coded password.)
    SERVICE_FIELDS = {"email": "email", "password": "password", "name": "name"}  # nosec B105


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("pages:dashboard")
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        wait = rate_limit_wait(request=request, scope="register")
        if wait is not None:
            form.add_error(None, _too_many_message(wait))
            status = TOO_MANY_STATUS
        else:
            try:
                language = request.LANGUAGE_CODE if request.LANGUAGE_CODE in dict(settings.LANGUAGES) else "en"
                user = user_create(**form.cleaned_data, language=language)
            except DomainError as exc:
                form_add_domain_error(form=form, exc=exc, field_map=SignupForm.SERVICE_FIELDS)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("pages:dashboard")
    return render(request, "accounts/signup.html", {"form": form}, status=status)


class LockoutAuthenticationForm(AuthenticationForm):
    """The login page shares the API's brute-force lockout."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Email")
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "inputmode": "email"})

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


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LockoutAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        wait = rate_limit_wait(request=request, scope="login")
        if wait is None:
            return super().post(request, *args, **kwargs)
        # An unbound form: a refused attempt must not reach authentication (nor touch the lockout counters).
        form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")[:254]})
        context = self.get_context_data(form=form, refusal=_too_many_message(wait))
        return self.render_to_response(context, status=TOO_MANY_STATUS)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def post(self, request, *args, **kwargs):
        wait = rate_limit_wait(request=request, scope="password_reset")
        if wait is None:
            return super().post(request, *args, **kwargs)
        form = self.get_form_class()(initial={"email": request.POST.get("email", "")[:254]})
        context = self.get_context_data(form=form, refusal=_too_many_message(wait))
        return self.render_to_response(context, status=TOO_MANY_STATUS)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@require_http_methods(["POST"])
def language_set(request):
    """Switch the interface language: stored on the account when signed in, in the cookie always
    (so the choice also holds on the login page after signing out)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        user_update_profile(user=request.user, language=language)
    response = redirect(safe_redirect_target(request=request, target=request.POST.get("next"), fallback="/"))
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


@login_required
@require_http_methods(["POST"])
def logout_everywhere(request):
    """End every session and API token of the account (a lost phone, a shared computer), this one too."""
    user_logout_everywhere(user=request.user)
    logout(request)
    messages.success(request, _("You are logged out on every device. Log in again to continue."))
    return redirect("accounts:login")
