"""Form widgets shared by every app."""

from django import forms
from django.urls import reverse
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
