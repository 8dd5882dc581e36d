"""Services for indicator systems as data: clone, edit, validate and freeze (issue: bureaus add local indicators).

A frozen system is immutable; every run stores the content hash of the system it used, so a published figure can
always be traced to the exact definition that produced it.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import User
from enterprises.batch_fields import batch_field_codes
from enterprises.models import Batch, BatchField

from .definitions import definition_to_rows, system_to_definition
from .engine.system import SystemDef
from .models import Indicator, IndicatorSystem


def indicator_system_definition(system: IndicatorSystem) -> SystemDef:
    """The engine's view of a stored system."""
    return system_to_definition(system, list(system.indicators.order_by("order", "code")))


def indicator_system_draft(*, form, formset) -> SystemDef:
    """The engine's view of the editor's *unsaved* state: ``form`` and ``formset`` validated (``is_valid()``), whose
    instances then hold the edited values in memory. What the weight sandbox (``scoring.sandbox``) scores; nothing
    is saved."""
    system = form.instance
    system.grade_bands = form.cleaned_data["grade_bands"]
    indicators = sorted((f.instance for f in formset.kept_rows()), key=lambda ind: (ind.order, ind.code))
    return system_to_definition(system, indicators)


def system_extra_fields(system: IndicatorSystem) -> dict[str, BatchField]:
    """The batch extra fields a local indicator of ``system`` may read: those of the batches the system can score
    (inside its region), by code (the first batch's definition of a code names it). What the editor offers and
    what an unfrozen system is validated against; a run checks its own batch (``batch_missing_fields``)."""
    batches = Batch.objects.filter(region_scope__startswith=system.region_scope)
    fields: dict[str, BatchField] = {}
    for field in BatchField.objects.filter(batch__in=batches).select_related("batch").order_by("-batch__year", "pk"):
        fields.setdefault(field.code, field)
    return fields


def batch_missing_fields(definition: SystemDef, batch: Batch) -> list[str]:
    """The extra fields ``definition`` reads that ``batch`` does not have (a run or preview of it is refused)."""
    codes = set(batch_field_codes(batch.pk))
    return [code for code in definition.extra_sources if code not in codes]


def indicator_system_errors(system: IndicatorSystem) -> list[str]:
    """Every methodology rule the system breaks (empty when the engine can run it); an indicator may read an extra
    field of a batch in the system's region (``system_extra_fields``), any other unknown field is an error."""
    definition = indicator_system_definition(system)
    extra = system_extra_fields(system) if definition.extra_sources else {}
    return definition.validate(extra_fields=extra)


@transaction.atomic
def indicator_system_clone(
    *, source: IndicatorSystem, code: str, name: str, user: User, region_scope: str = ""
) -> IndicatorSystem:
    """A new, editable version: same code → next version of it; a new code → version 1 of a local system."""
    code = code.strip()
    if not code:
        raise ApplicationError(_("请填写体系代码。"), fields={"code": [_("请填写体系代码。")]})
    next_version = (IndicatorSystem.objects.filter(code=code).aggregate(v=Max("version"))["v"] or 0) + 1
    definition = indicator_system_definition(source)
    clone = SystemDef.from_dict({**definition.to_dict(), "code": code, "version": next_version, "name": name})
    return definition_to_rows(
        clone,
        IndicatorSystem,
        Indicator,
        parent=source,
        frozen=False,
        region_scope=region_scope,
        description=_("复制自 %(source)s") % {"source": source.key},
    )


@transaction.atomic
def indicator_system_freeze(*, system: IndicatorSystem) -> IndicatorSystem:
    """Validate and freeze; from now on the system cannot change. Idempotent for an already frozen system."""
    system = IndicatorSystem.objects.select_for_update().get(pk=system.pk)
    if system.frozen:
        return system
    errors = indicator_system_errors(system)
    if errors:
        raise ApplicationError(_("指标体系未通过校验,不能冻结:%(errors)s") % {"errors": ";".join(errors)})
    system.content_hash = indicator_system_definition(system).content_hash()
    system.frozen = True
    system.save(update_fields=["content_hash", "frozen", "updated_at"])
    return system


@transaction.atomic
def indicator_system_update(*, system: IndicatorSystem, form, formset) -> IndicatorSystem:
    """Save the editor's validated ``form`` (the system's fields) and ``formset`` (its indicators), unless the
    system was frozen meanwhile. The row is locked first, as ``indicator_system_freeze`` locks it: a run freezing
    the system and an edit never interleave, so a frozen system is never overwritten by a page opened before."""
    locked = IndicatorSystem.objects.select_for_update().get(pk=system.pk)
    indicator_system_ensure_editable(locked)
    form.save()
    formset.save()
    return locked


def indicator_system_ensure_editable(system: IndicatorSystem) -> None:
    if system.frozen:
        raise ApplicationError(_("该指标体系已冻结(已用于评分),不能修改。请复制为新版本后再编辑。"))
