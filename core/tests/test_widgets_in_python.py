"""core.widgets.inputs_rendered_in_python: the same HTML as Django's widget templates, for every value and attribute
shape the forms use (escaping, None, booleans, selected options, option groups)."""

import pytest
from django import forms

from core.widgets import inputs_rendered_in_python


class Everything(forms.Form):
    text = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": 'a "quoted" <b>', "x": True}))
    number = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"data-unit": "万元", "step": "0.01"}))
    flag = forms.BooleanField(required=False)
    level = forms.TypedChoiceField(choices=[(0, "无"), (1, "市级"), (2, "省 & 国")], coerce=int, required=False)
    grouped = forms.ChoiceField(choices=[("", "—"), ("A", [("a1", "<一>"), ("a2", "二")]), ("b", "B")])
    many = forms.MultipleChoiceField(choices=[("1", "工行"), ("2", "农行"), ("3", "中行")], required=False,
                                     widget=forms.SelectMultiple(attrs={"size": 6, "disabled": False}))  # fmt: skip


CASES = [
    {},
    {
        "text": '<script>"x"</script>',
        "number": "12.50",
        "flag": "on",
        "level": "1",
        "grouped": "a1",
        "many": ["1", "3"],
    },  # fmt: skip
    {"text": "", "number": "-3", "level": "9", "grouped": "zz"},  # invalid values: rendered with the errors' attrs
]


@pytest.mark.parametrize("data", CASES)
def test_the_python_rendering_is_the_templates_html(data):
    bound = data or None
    by_templates, in_python = Everything(bound), Everything(bound)
    inputs_rendered_in_python(in_python.fields)
    if bound:
        by_templates.is_valid(), in_python.is_valid()
    assert type(in_python.fields["number"].widget) is not forms.NumberInput  # the fast one is in use
    for name in Everything.base_fields:
        assert str(in_python[name]) == str(by_templates[name]), name


def test_a_widget_with_a_template_of_its_own_keeps_it():
    class Picker(forms.TextInput):
        template_name = "core/widgets/region_picker.html"

    form = forms.Form()
    form.fields["region"] = forms.CharField(widget=Picker())
    inputs_rendered_in_python(form.fields)
    assert type(form.fields["region"].widget) is Picker
