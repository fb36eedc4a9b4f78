"""form_add_domain_error: where a service's refusal lands on a page form."""

from __future__ import annotations

from django import forms

from lumiku.core.errors import Conflict, ValidationFailed
from lumiku.core.forms import form_add_domain_error

FIELD_MAP = {"poseName": "pose_name", "description": "description", "email": "email"}


class _Form(forms.Form):
    pose_name = forms.CharField(required=False)
    description = forms.CharField(required=False)


def _form() -> _Form:
    form = _Form({})
    assert form.is_valid()
    return form


def test_one_named_field_gets_the_services_sentence():
    form = _form()
    form_add_domain_error(form=form, exc=ValidationFailed("This name is already requested.",
                                                          fields={"poseName": ["Duplicate."]}), field_map=FIELD_MAP)
    assert form.errors == {"pose_name": ["This name is already requested."]}


def test_several_named_fields_get_their_own_messages_and_the_generic_sentence_is_not_repeated():
    form = _form()
    form_add_domain_error(form=form, exc=ValidationFailed(fields={"poseName": ["Too short."],
                                                                  "description": ["Required."]}),
                          field_map=FIELD_MAP)
    assert form.errors == {"pose_name": ["Too short."], "description": ["Required."]}


def test_a_field_prefixed_message_lands_on_that_field_without_the_prefix():
    form = _form()
    form_add_domain_error(form=form, exc=ValidationFailed("description: the text is too long."),
                          field_map=FIELD_MAP)
    assert form.errors == {"description": ["The text is too long."]}


def test_a_refusal_naming_no_field_of_the_form_goes_above_it():
    form = _form()
    form_add_domain_error(form=form, exc=Conflict("You already asked for this pose.", fields={"email": ["x"]}),
                          field_map=FIELD_MAP)
    assert form.errors == {"__all__": ["You already asked for this pose."]}
