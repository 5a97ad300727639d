"""`|crispy_pristine`: what `|crispy` renders, with an empty form's markup made once per process."""

from __future__ import annotations

import sys

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms

from accounts.templatetags.pristine_forms import crispy_pristine

_colours = [("red", "Red")]


class _NoteForm(forms.Form):
    sku = forms.CharField(label="SKU", max_length=20)
    note = forms.CharField(label="Note", required=False, help_text="Shown to the supplier.")


class _ColourForm(forms.Form):
    colour = forms.ChoiceField(choices=lambda: list(_colours))


def test_an_empty_form_renders_as_crispy_renders_it_every_time():
    assert crispy_pristine(_NoteForm()) == as_crispy_form(_NoteForm())
    assert crispy_pristine(_NoteForm(initial={"sku": ""})) == as_crispy_form(_NoteForm())


def test_data_errors_and_initial_values_show_after_an_empty_form_was_rendered():
    crispy_pristine(_NoteForm())
    too_long = _NoteForm(data={"sku": "X" * 30})

    shown = crispy_pristine(too_long)

    assert not too_long.is_valid()
    assert "X" * 30 in shown and "at most 20 characters" in shown
    assert 'value="MUG-1"' in crispy_pristine(_NoteForm(initial={"sku": "MUG-1"}))


def test_choices_are_read_afresh_each_time(monkeypatch):
    assert "Blue" not in crispy_pristine(_ColourForm())

    monkeypatch.setattr(sys.modules[__name__], "_colours", [("red", "Red"), ("blue", "Blue")])

    assert "Blue" in crispy_pristine(_ColourForm())
