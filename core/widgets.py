"""Form widgets shared by every app."""

from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class RegionPickerWidget(forms.TextInput):
    """A region chosen by name: province → city → county ``<select>``s (``static/js/region-picker.js``) that write
    the field's plain text input, which is what the form reads and what a browser without script shows.

    The names come from ``core.views.region_tree`` (one cached JSON document for the whole list). ``leaf_only``
    is a firm's location: the value is set only once a county (or a city without counties) is chosen, so a
    province alone is incomplete; otherwise the field is a scope and any level gives its prefix (a province
    ``44``, a city ``4403``, a county ``440305``; nothing chosen is ``''``, everywhere). ``root`` keeps the
    choice inside a scope (an officer's region): its levels are fixed and the empty choice is the root itself.
    """

    template_name = "core/widgets/region_picker.html"

    def __init__(self, attrs=None, *, leaf_only: bool = False, root: str = "", empty_label=None):
        attrs = {"inputmode": "numeric", "maxlength": "6", "autocomplete": "off", **(attrs or {})}
        attrs.setdefault("placeholder", _("例如 440305") if leaf_only else _("例如 44 或 4403,留空为全部"))
        super().__init__(attrs)
        self.leaf_only = leaf_only
        self.root = root
        self.empty_label = empty_label

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if self.leaf_only:
            empties = [_("请选择省份"), _("请选择城市"), _("请选择区县")]
        else:
            empties = [self.empty_label or _("全部"), _("全部"), _("全部")]
        names = [_("省级"), _("地级"), _("县级")]
        context["picker"] = {
            "source": f"{reverse('region-tree')}?lang={get_language() or ''}",
            "mode": "leaf" if self.leaf_only else "scope",
            "root": self.root,
            "levels": list(zip(names, empties, strict=True)),
        }
        return context


def _attrs_html(attrs: dict) -> str:
    html = ""
    for name, value in attrs.items():
        if value is not False:
            html += format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
    return html


def _input_html(widget: dict) -> str:
    """What Django's ``input.html`` (including ``attrs.html``) renders for a widget's context, in Python."""
    html = format_html('<input type="{}" name="{}"', widget["type"], widget["name"])
    if widget["value"] is not None:
        html += format_html(' value="{}"', widget["value"])
    return mark_safe(html + _attrs_html(widget["attrs"]) + ">")  # noqa: S308  # nosec B308 B703 # every part went through format_html


def _select_html(widget: dict) -> str:
    """What Django's ``select.html`` (including ``select_option.html`` per option) renders, in Python."""
    html = format_html('<select name="{}"', widget["name"]) + _attrs_html(widget["attrs"]) + ">"
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html += format_html('\n  <optgroup label="{}">', group_name)
        for option in options:
            html += format_html('\n  <option value="{}"', option["value"]) + _attrs_html(option["attrs"])
            html += format_html(">{}</option>\n", option["label"])  # the template file's own last newline
        if group_name:
            html += "\n  </optgroup>"
    return mark_safe(html + "\n</select>")  # noqa: S308  # nosec B308 B703 # every part went through format_html


class _RenderedInPython:
    """A widget rendered in Python (``_input_html``, ``_select_html``) instead of through Django's templates
    (``number.html`` includes ``input.html``, which includes ``attrs.html``; a select includes a template per
    option): the same HTML. On the filing form's ~30 inputs and its select it was most of what the page spent."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        return _select_html(widget) if isinstance(self, forms.Select) else _input_html(widget)


_IN_PYTHON = {
    base: type(base.__name__, (_RenderedInPython, base), {"__module__": __name__})
    for base in (forms.TextInput, forms.NumberInput, forms.CheckboxInput, forms.Select, forms.SelectMultiple)
}


def inputs_rendered_in_python(fields) -> None:
    """Give the plain text, number and checkbox inputs of a form's ``fields`` the Python rendering (a widget of
    any other kind, or a subclass with a template of its own, keeps its template)."""
    for field in fields.values():
        faster = _IN_PYTHON.get(type(field.widget))
        if faster is not None:
            field.widget.__class__ = faster
