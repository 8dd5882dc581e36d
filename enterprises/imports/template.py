"""The import template (.xlsx) and the filings export: one set of columns, in the reader's language, that the
importer reads back.

The template's first sheet is the table to fill (the importer reads a workbook's first sheet): the column names as
the filing form labels them, units included, drop-down lists of 是/否 and of the level names; a second sheet
explains every column. The export writes the same columns and values in words (是/否, a level by its name, a
status by its label), so a file exported and imported again changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.exports import csv_lines
from core.labels import listing, yes_no

from ..choices import BatchFieldKind, DataSource, RdPlatformLevel, SubmissionStatus
from ..filing import HELP, UNITS
from ..labels import field_label
from ..models import COUNT_FIELDS, FLAG_FIELDS, SIGNED_FIELDS, BatchField, Enterprise, Submission
from .validation import IMPORTABLE, KEY, extra_header

TEMPLATE_ROWS = 10_000  # rows the drop-down lists cover (an import takes up to 200,000; lists past these are a nicety)
EXPORT_CHUNK = 5_000


def _key_label() -> str:
    return str(Enterprise._meta.get_field(KEY).verbose_name)


def _name_label() -> str:
    return str(Enterprise._meta.get_field("name").verbose_name)


def _allowed(name: str) -> str:
    """What a cell of the column may hold, in words."""
    if name in FLAG_FIELDS:
        return _("“%(yes)s”或“%(no)s”") % {"yes": yes_no(True), "no": yes_no(False)}
    if name == "rd_platform_level":
        return listing(f"“{label}”" for label in RdPlatformLevel.labels)
    if name in COUNT_FIELDS:
        return _("非负整数")
    if name in SIGNED_FIELDS:
        return _("数字,最多两位小数,可为负数")
    return _("数字,最多两位小数,不能为负数")


def _extra_allowed(field: BatchField) -> str:
    """What a cell of an extra field's column may hold, in words (its kind and bounds)."""
    if field.kind == BatchFieldKind.YES_NO:
        return _("“%(yes)s”或“%(no)s”") % {"yes": yes_no(True), "no": yes_no(False)}
    words = [_("整数") if field.kind == BatchFieldKind.INTEGER else _("数字,最多两位小数")]
    if field.min_value is not None:
        words.append(_("不小于 %(min)s") % {"min": f"{field.min_value.normalize():f}"})
    if field.max_value is not None:
        words.append(_("不大于 %(max)s") % {"max": f"{field.max_value.normalize():f}"})
    return ",".join(words) + _(";留空为未填报")


def template_xlsx(batch_fields: list[BatchField] = ()) -> bytes:
    """The template workbook in the active language; ``batch_fields`` (a batch's extra fields) add their columns
    after the standard ones."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("填报数据")
    header = [_key_label(), _name_label(), *(field_label(name) for name in IMPORTABLE),
              *(extra_header(field) for field in batch_fields)]  # fmt: skip
    sheet.append(header)
    sheet.freeze_panes = "C2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[1].height = 48
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 28
    lists = {
        "flags": ",".join([yes_no(True), yes_no(False)]),
        "levels": ",".join(str(label) for label in RdPlatformLevel.labels),
    }
    validations = {
        key: DataValidation(type="list", formula1=f'"{text}"', allow_blank=True) for key, text in lists.items()
    }
    for index, name in enumerate(IMPORTABLE, start=3):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16
        kind = "flags" if name in FLAG_FIELDS else "levels" if name == "rd_platform_level" else None
        if kind:
            validations[kind].add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    for index, field in enumerate(batch_fields, start=3 + len(IMPORTABLE)):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = 16
        if field.kind == BatchFieldKind.YES_NO:
            validations["flags"].add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    for validation in validations.values():
        sheet.add_data_validation(validation)

    help_sheet = workbook.create_sheet(_("填写说明"))
    for line in (
        _("第一行为表头,从第二行起每行一家企业;平台按统一社会信用代码找到企业,只导入本辖区的企业。"),
        _("不导入的列可以整列删除;保留的列每个单元格都要填写(没有填 0)。单元格中的公式不会被计算。"),
        _("表头可用中文或英文列名,也可用字段代码;金额单位为万元。“企业名称”列仅供核对,不导入。"),
        _("先在“批量导入”页面预检:平台列出每一处将被修改的数值(原值 → 新值),确认后才写入。"),
    ):
        help_sheet.append([line])
    help_sheet.append([])
    columns = [_("列"), _("列名"), _("字段代码"), _("单位"), _("填写要求"), _("说明")]
    help_sheet.append(columns)
    for cell in help_sheet[help_sheet.max_row]:
        cell.font = Font(bold=True)
    rows = [("A", _key_label(), KEY, "", _("18位代码,必填"), _("企业的统一社会信用代码(GB 32100-2015)。")),
            ("B", _name_label(), "name", "", _("可不填"), _("仅供核对,不导入。"))]  # fmt: skip
    for index, name in enumerate(IMPORTABLE, start=3):
        field = Submission._meta.get_field(name)
        explanation = str(HELP.get(name) or field.help_text or "")
        rows.append((get_column_letter(index), field_label(name), name, str(UNITS.get(name, "")), _allowed(name),
                     explanation))  # fmt: skip
    for index, field in enumerate(batch_fields, start=3 + len(IMPORTABLE)):
        rows.append((get_column_letter(index), extra_header(field), field.code, field.unit, _extra_allowed(field),
                     field.help_text or _("本批次的扩展字段。")))  # fmt: skip
    for row in rows:
        help_sheet.append(list(row))
    for letter, width in zip("ABCDEF", (6, 34, 24, 10, 30, 60), strict=True):
        help_sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


EXPORT_FIELDS = ("enterprise__credit_code", "enterprise__name", "status", "data_source", *IMPORTABLE)


def export_header(batch_fields: list[BatchField] = ()) -> list[str]:
    return [
        _key_label(), _name_label(), str(Submission._meta.get_field("status").verbose_name),
        str(Submission._meta.get_field("data_source").verbose_name), *(field_label(name) for name in IMPORTABLE),
        *(extra_header(field) for field in batch_fields),
    ]  # fmt: skip


def _extra_cells(batch_fields: list[BatchField]):
    """The extra fields' cells of one filing from its ``extra_values``: as stored (a number's canonical text),
    是/否 for yes/no, blank when never filed — what the importer reads back to the same stored value."""
    yes, no = yes_no(True), yes_no(False)

    def cells(stored: dict) -> list[str]:
        out = []
        for field in batch_fields:
            value = (stored or {}).get(field.code)
            if value is None:
                out.append("")
            elif field.kind == BatchFieldKind.YES_NO:
                out.append(yes if value == "1" else no)
            else:
                out.append(value)
        return out

    return cells


def _converters() -> list:
    """One function per export column turning the stored value into the cell the importer reads back."""
    statuses, sources = dict(SubmissionStatus.choices), dict(DataSource.choices)
    levels = dict(RdPlatformLevel.choices)
    yes, no = yes_no(True), yes_no(False)
    same = lambda value: value  # noqa: E731
    converters = [same, same, lambda v: str(statuses.get(v, v)), lambda v: str(sources.get(v, v))]
    for name in IMPORTABLE:
        if name in FLAG_FIELDS:
            converters.append(lambda v, yes=yes, no=no: yes if v else no)
        elif name == "rd_platform_level":
            converters.append(lambda v: str(levels.get(v, v)))
        else:  # amounts as stored (3200.50), counts as whole numbers
            converters.append(same)
    return converters


def export_rows(filings: QuerySet[Submission], batch_fields: list[BatchField] = ()) -> Iterator[list]:
    converters = _converters()
    extra_cells = _extra_cells(list(batch_fields))
    fields = (*EXPORT_FIELDS, "extra_values") if batch_fields else EXPORT_FIELDS
    rows: Iterable[tuple] = filings.order_by("enterprise__credit_code").values_list(*fields)
    for row in rows.iterator(chunk_size=EXPORT_CHUNK):
        cells = [convert(value) for convert, value in zip(converters, row[: len(EXPORT_FIELDS)], strict=True)]
        yield cells + extra_cells(row[-1]) if batch_fields else cells


def export_csv_lines(filings: QuerySet[Submission], batch_fields: list[BatchField] = ()) -> Iterator[str]:
    """The filings as CSV lines (UTF-8 with BOM), text cells made inert (``core.exports``); the batch's extra
    fields (``batch_fields``) as the last columns."""
    return csv_lines(export_header(batch_fields), export_rows(filings, batch_fields))
