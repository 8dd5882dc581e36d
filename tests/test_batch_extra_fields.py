"""A batch's extra fields (issue #13 item 6, "a local indicator on a new filed field"), end to end: the bureau
defines a field on a batch, the firm files it, the import and export carry it, and a local indicator scores it —
in the loader, the run, the sandbox, the self-assessment and the input hash — with a browser test of the whole path.
"""

from __future__ import annotations

import io
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.exceptions import ApplicationError
from enterprises.batch_fields import batch_field_create, batch_field_delete
from enterprises.models import BatchField, Submission, SubmissionChange
from enterprises.services import submission_import
from enterprises.tests.factories import GOOD_FILING, EnterpriseFactory, MembershipFactory, SubmissionFactory
from scoring.engine import Population, SystemDef, score
from scoring.engine.system import EXTRA_FIELD_PATTERN, IndicatorDef
from scoring.tests.factories import BatchFactory, IndicatorSystemFactory
from tests.browser import fits, new_tab, screenshot, sign_in
from tests.factories import BureauStaffFactory

CODE = "provincial_platforms"
FIELD = {"label_zh": "省级研发平台数量", "label_en": "Provincial R&D platforms", "unit": "个", "kind": "integer",
         "min_value": Decimal(0), "max_value": Decimal(50)}  # fmt: skip


@pytest.fixture
def admin(db):
    return BureauStaffFactory(region_scope="44", role="admin").user


@pytest.fixture
def gd_batch(db):
    return BatchFactory(region_scope="44")


@pytest.fixture
def field(gd_batch, admin):
    return batch_field_create(batch=gd_batch, user=admin, code=CODE, **FIELD)


def _filings(batch, count: int = 40, seed: int = 1) -> list[Submission]:
    """``count`` scored filings of Guangdong firms with varied values; every other firm files the extra field."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        firm = EnterpriseFactory(region_code="440305" if i % 3 else "440106", industry_code="C39" if i % 2 else "I65")
        extra = {CODE: str(int(rng.integers(0, 5)))} if i % 2 == 0 else {}
        rows.append(SubmissionFactory(
            enterprise=firm, batch=batch, status="approved", extra_values=extra, revenue=int(rng.integers(600, 30000)),
            rd_expense=int(rng.integers(10, 500)), invention_patents=int(rng.integers(0, 9)),
            is_tech_sme=True,
        ))  # fmt: skip
    return rows


def _local_system(admin):
    """A Guangdong draft with the local indicator L9 on the extra field (reference 3, 5 points from T7)."""
    system = IndicatorSystemFactory(region_scope="44")
    standards = system.indicators.get(code="T7")
    standards.weight_startup, standards.weight_growth, standards.weight_stable = 0, 0, 0  # its 3/4/4 points move
    standards.save()
    system.indicators.create(code="L9", name="省级研发平台数量", category="辅助", source_field=CODE, method="reference",
                             reference=3, weight_startup=3, weight_growth=4, weight_stable=4, order=99)  # fmt: skip
    return system


# --- The field itself ------------------------------------------------------------------------------------------------


def test_the_engine_and_the_model_agree_on_what_a_code_may_be():
    from enterprises.models import EXTRA_CODE_PATTERN

    assert EXTRA_CODE_PATTERN == EXTRA_FIELD_PATTERN


@pytest.mark.django_db
def test_bad_field_definitions_are_refused_naming_the_field_and_nothing_is_saved(gd_batch, admin):
    for code, settings, wrong in (
        ("revenue", {}, "code"),  # a field of the national form
        ("rd_intensity", {}, "code"),  # a derived field the engine reads
        ("9lives", {}, "code"),
        (CODE, {"min_value": Decimal(5), "max_value": Decimal(1)}, "max_value"),
        (CODE, {"label_zh": ""}, "label_zh"),
    ):
        with pytest.raises(ValidationError) as error:
            batch_field_create(batch=gd_batch, user=admin, code=code, **(FIELD | settings))
        assert wrong in error.value.message_dict, (code, settings)
    assert not BatchField.objects.exists()
    reviewer = BureauStaffFactory(region_scope="44", role="reviewer").user
    outsider = BureauStaffFactory(region_scope="32", role="admin").user
    for user in (reviewer, outsider):  # managed as the batch is: administrators of its region only
        with pytest.raises(ApplicationError):
            batch_field_create(batch=gd_batch, user=user, code=CODE, **FIELD)
    field = batch_field_create(batch=gd_batch, user=admin, code=CODE, **FIELD)
    with pytest.raises(ValidationError) as error:
        batch_field_create(batch=gd_batch, user=admin, code=CODE, **FIELD)
    assert "code" in error.value.message_dict
    assert LogEntry.objects.get_for_object(field).filter(action=LogEntry.Action.CREATE).get().actor is None


@pytest.mark.django_db
def test_a_filed_field_cannot_be_deleted_an_unfiled_one_can(client, gd_batch, admin, field):
    filing = SubmissionFactory(batch=gd_batch, enterprise=EnterpriseFactory(region_code="440305"),
                               extra_values={CODE: "2"})  # fmt: skip
    with pytest.raises(ApplicationError, match="省级研发平台数量"):
        batch_field_delete(field=field, user=admin)
    filing.delete()
    client.force_login(admin)
    response = client.post(reverse("scoring:batch-field-delete", args=[gd_batch.pk, field.pk]))
    assert response.status_code == 302 and not BatchField.objects.exists()
    assert LogEntry.objects.filter(action=LogEntry.Action.DELETE, actor=admin).exists()  # the page's actor


@pytest.mark.django_db
def test_the_bureau_page_adds_a_field_and_names_a_bad_one(client, gd_batch, admin):
    client.force_login(admin)
    url = reverse("scoring:batch-fields", args=[gd_batch.pk])
    bad = client.post(url, {"code": "employees", "label_zh": "从业人员", "label_en": "Staff", "kind": "number",
                            "min_value": "0", "order": "1"})  # fmt: skip
    assert bad.status_code == 400 and "与标准填报字段重名" in bad.content.decode()
    assert not BatchField.objects.exists()
    good = client.post(url, {"code": CODE, "label_zh": "省级研发平台数量", "label_en": "Provincial R&D platforms",
                             "unit": "个", "kind": "integer", "min_value": "0", "max_value": "50",
                             "order": "1"})  # fmt: skip
    assert good.status_code == 302
    assert BatchField.objects.get().label_en == "Provincial R&D platforms"
    assert LogEntry.objects.filter(action=LogEntry.Action.CREATE, actor=admin).exists()
    reviewer = BureauStaffFactory(region_scope="44", role="reviewer").user
    client.force_login(reviewer)
    assert client.get(url).status_code == 404  # a reviewer manages no batch
    detail = client.get(reverse("scoring:batch-detail", args=[gd_batch.pk])).content.decode()
    assert url not in detail and "省级研发平台数量" in detail  # the reviewer reads the fields, has no link to manage


# --- Filing --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_filing_page_shows_saves_and_refuses_extra_values(client, gd_batch, field):
    firm = EnterpriseFactory(region_code="440305")
    client.force_login(MembershipFactory(enterprise=firm).user)
    url = f"{reverse('enterprises:filing')}?batch={gd_batch.pk}"
    page = client.get(url).content.decode()
    assert "省级研发平台数量<span data-user>(个)</span>" in page and f'name="extra__{CODE}"' in page
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Provincial R&amp;D platforms" in english

    bad = client.post(url, {**GOOD_FILING, f"extra__{CODE}": "-1", "action": "draft"})
    assert bad.status_code == 400 and "省级研发平台数量:不能为负数。" in bad.content.decode()
    fraction = client.post(url, {**GOOD_FILING, f"extra__{CODE}": "2.5", "action": "draft"})
    assert "省级研发平台数量:应为整数。" in fraction.content.decode()
    filing = Submission.objects.get(enterprise=firm, batch=gd_batch)
    assert filing.extra_values == {} and filing.revenue == 0  # bad input saves nothing, standard fields included

    client.post(url, {**GOOD_FILING, f"extra__{CODE}": "3", "action": "draft"})
    filing.refresh_from_db()
    assert filing.extra_values == {CODE: "3"} and filing.revenue == 5000
    change = SubmissionChange.objects.filter(submission=filing).latest("pk")
    assert change.diff[f"extra__{CODE}"] == [None, "3"]
    assert "3 个" in client.get(url).content.decode().split("变更记录")[1]  # the trail in words, with the unit
    client.post(url, {**GOOD_FILING, f"extra__{CODE}": "", "action": "submit"})
    filing.refresh_from_db()
    assert filing.status == "submitted" and filing.extra_values == {}  # blank: not filed (counts as 0)


@pytest.mark.django_db
def test_the_review_page_shows_the_extra_value(client, gd_batch, field):
    filing = SubmissionFactory(batch=gd_batch, enterprise=EnterpriseFactory(region_code="440305"),
                               status="submitted", extra_values={CODE: "4"})  # fmt: skip
    client.force_login(BureauStaffFactory(region_scope="44", role="reviewer").user)
    page = client.get(reverse("review:detail", args=[filing.pk])).content.decode()
    assert "省级研发平台数量" in page and "4 个" in page


# --- Import and export ---------------------------------------------------------------------------------------------


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_template_export_and_import_round_trip_the_extra_column(client, gd_batch, admin, field):
    firms = [EnterpriseFactory(region_code="440305") for _ in range(3)]
    SubmissionFactory(enterprise=firms[0], batch=gd_batch, status="approved", extra_values={CODE: "2"})
    SubmissionFactory(enterprise=firms[1], batch=gd_batch, status="submitted")  # never filed it
    client.force_login(admin)
    template = client.get(reverse("review:import-template"), {"batch": gd_batch.pk})
    data, help_sheet = openpyxl.load_workbook(io.BytesIO(template.content)).worksheets
    assert [c.value for c in data[1]][-1] == "省级研发平台数量(个)"
    assert any(row[2] == CODE and "整数" in row[4] for row in help_sheet.iter_rows(values_only=True) if row[2])

    exported = b"".join(client.post(reverse("review:export"), {"batch": gd_batch.pk}).streaming_content)
    lines = exported.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",省级研发平台数量(个)")
    before = list(Submission.objects.order_by("pk").values())
    report = submission_import(user=admin, batch=gd_batch, data=exported, filename="f.csv", dry_run=False)
    assert report.errors == [] and report.change_count == 0 and report.committed
    assert list(Submission.objects.order_by("pk").values()) == before and not SubmissionChange.objects.exists()

    edited = [lines[0]] + [line[: line.rindex(",")] + ",5" for line in lines[1:]]  # both firms now file 5
    preview = submission_import(user=admin, batch=gd_batch, data="\n".join(edited).encode(), filename="e.csv")
    assert sorted((c.credit_code, c.field, c.old, c.new) for c in preview.changes) == sorted([
        (firms[0].credit_code, "省级研发平台数量", "2 个", "5 个"),
        (firms[1].credit_code, "省级研发平台数量", "—", "5 个")])  # fmt: skip
    header = ["统一社会信用代码", "Provincial R&D platforms", "营业收入(万元)"]
    bad = submission_import(user=admin, batch=gd_batch, filename="b.xlsx",
                            data=_xlsx([header, [firms[2].credit_code, "-3", 100]]))  # fmt: skip
    assert [(e.row, e.column, e.message) for e in bad.errors] == [(2, "B", "省级研发平台数量:不能为负数。")]
    committed = submission_import(
        user=admin,
        batch=gd_batch,
        filename="n.xlsx",
        dry_run=False,
        data=_xlsx([header, [firms[2].credit_code, 7, 100], [firms[0].credit_code, "", 1]]),
    )
    assert committed.committed and (committed.new_count, committed.update_count) == (1, 1)
    assert Submission.objects.get(enterprise=firms[2]).extra_values == {CODE: "7"}
    assert Submission.objects.get(enterprise=firms[0]).extra_values == {}  # a blank cell: no longer filed
    diff = SubmissionChange.objects.get(submission__enterprise=firms[0]).diff
    assert diff[f"extra__{CODE}"] == ["2", None]


# --- Scoring -------------------------------------------------------------------------------------------------------


def _engine_population(batch) -> Population:
    """The batch's scored filings read through the ORM, one row at a time: an independent path to the arrays."""
    rows = list(Submission.objects.filter(batch=batch, status__in=("submitted", "approved"))
                .select_related("enterprise").order_by("enterprise_id"))  # fmt: skip
    return Population.from_columns(
        enterprise_id=[r.enterprise_id for r in rows], section=[r.enterprise.industry_code for r in rows],
        province=[int(r.enterprise.region_code[:2]) for r in rows],
        established=[r.enterprise.established for r in rows],
        reference_date=batch.reference_date,
        values={name: [float(getattr(r, name)) for r in rows] for name in (*Submission.MONEY_FIELDS,
                                                                            *Submission.COUNT_FIELDS)},
        flags={name: [getattr(r, name) for r in rows] for name in Submission.FLAG_FIELDS},
        approved=[r.status == "approved" for r in rows],
        extra_values={CODE: [float(r.extra_values.get(CODE, 0)) for r in rows]},
    )  # fmt: skip


@pytest.mark.django_db
def test_the_loader_reads_the_extra_values_missing_as_zero(gd_batch, field):
    from scoring.selectors import population_load

    filings = _filings(gd_batch, count=10)
    population = population_load(batch=gd_batch)
    assert population.extra_fields == (CODE,)
    expected = {f.enterprise_id: float(f.extra_values.get(CODE, 0)) for f in filings}
    assert dict(zip(population.enterprise_id.tolist(), population.values[CODE].tolist(), strict=True)) == expected
    unfiled = [f.enterprise_id for f in filings if CODE not in f.extra_values]
    assert len(unfiled) == 5 and not population.values[CODE][np.isin(population.enterprise_id, unfiled)].any()
    one = population_load(batch=gd_batch, enterprise_id=filings[0].enterprise_id)
    assert one.values[CODE].tolist() == [expected[filings[0].enterprise_id]]


@pytest.mark.django_db
def test_a_run_with_the_local_indicator_equals_the_engine_on_the_same_arrays(gd_batch, admin, field):
    from scoring.indicator_systems import indicator_system_definition
    from scoring.models import Score
    from scoring.services import scoring_run_create, scoring_run_execute

    _filings(gd_batch)
    system = _local_system(admin)
    run = scoring_run_create(batch=gd_batch, user=admin, system=system, trial=True, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == "computed", run.error
    expected = score(_engine_population(gd_batch), indicator_system_definition(system))
    column = list(expected.indicator_codes).index("L9")
    stored = {s.enterprise_id: s for s in Score.objects.filter(run=run)}
    assert len(stored) == expected.n == 40
    for i, firm in enumerate(expected.enterprise_id.tolist()):
        row = stored[firm]
        assert row.total == Decimal(f"{expected.total_rounded[i]:.2f}") and row.grade == expected.grade_labels[
            expected.grade[i]]  # fmt: skip
        assert row.points[column] == pytest.approx(expected.points[i, column], abs=1e-6)
        assert (row.rank_national, row.rank_province) == (expected.rank_national[i], expected.rank_province[i])
    assert expected.points[:, column].max() > 0  # the local field scored, not all zeros


@pytest.mark.django_db
def test_export_run_then_score_csv_reproduces_a_run_with_the_local_indicator(gd_batch, admin, field, tmp_path):
    import json
    from io import StringIO

    from django.core.management import call_command

    from scoring.services import scoring_run_create, scoring_run_execute

    _filings(gd_batch, count=20)
    run = scoring_run_create(batch=gd_batch, user=admin, system=_local_system(admin), trial=True, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    export = tmp_path / "export"
    call_command("export_run", str(run.pk), str(export), stdout=StringIO())
    assert CODE in (export / "inputs.csv").read_text().splitlines()[0].split(",")
    manifest = json.loads((export / "run.json").read_text())
    call_command("score_csv", "--system", str(export / "system.json"), "--reference-date", manifest["reference_date"],
                 str(export / "inputs.csv"), str(tmp_path / "rescored.csv"), stdout=StringIO())  # fmt: skip
    assert (export / "outputs.csv").read_text() == (tmp_path / "rescored.csv").read_text()


@pytest.mark.django_db
def test_a_system_or_run_on_a_field_the_batch_lacks_is_refused_naming_it(gd_batch, admin, field):
    from scoring.services import scoring_run_create

    system = _local_system(admin)
    other = BatchFactory(region_scope="4403")  # in the system's region, without the field
    SubmissionFactory(batch=other, enterprise=EnterpriseFactory(region_code="440305"), status="approved")
    with pytest.raises(ApplicationError, match=CODE):
        scoring_run_create(batch=other, user=admin, system=system, trial=True, enqueue=False)
    system.refresh_from_db()
    assert not system.frozen and not other.runs.exists()  # refused before anything was frozen or queued

    local = SystemDef.from_dict({**SystemDef.from_dict(_sys_dict()).to_dict()})
    assert any(f"unknown source field '{CODE}'" in e for e in local.validate())
    assert local.validate(extra_fields=[CODE]) == []
    population = Population.from_columns(enterprise_id=[1], section=["C"], province=[44], established=["2015-01-01"],
                                         reference_date="2024-12-31")  # fmt: skip
    with pytest.raises(ValueError, match=CODE):
        score(population, local)
    with pytest.raises(ValueError, match="shadows"):
        Population.from_columns(enterprise_id=[1], section=["C"], province=[44], established=["2015-01-01"],
                                reference_date="2024-12-31", extra_values={"roe": [1.0]})  # fmt: skip


def _sys_dict() -> dict:
    weights = {"startup": 100, "growth": 100, "stable": 100}
    indicator = IndicatorDef(code="L1", category="地方", source=CODE, method="reference", weights=weights, reference=3)
    return SystemDef(code="t", version=1, name="t", indicators=(indicator,), bonus_cap=0).to_dict()


@pytest.mark.django_db
def test_the_input_hash_changes_with_an_extra_value_exactly_as_with_a_standard_field(gd_batch, admin, field):
    from scoring.models import Score
    from scoring.selectors import filing_input_hash
    from scoring.services import scoring_run_create, scoring_run_execute

    filings = _filings(gd_batch, count=8)
    run = scoring_run_create(batch=gd_batch, user=admin, system=_local_system(admin), trial=True, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    for filing in filings[:2]:
        stored = Score.objects.get(run_id=run.pk, enterprise_id=filing.enterprise_id).input_hash
        assert filing_input_hash(batch=gd_batch, enterprise_id=filing.enterprise_id) == stored
        original = dict(filing.extra_values)
        Submission.objects.filter(pk=filing.pk).update(extra_values={CODE: "9"})
        assert filing_input_hash(batch=gd_batch, enterprise_id=filing.enterprise_id) != stored  # stale
        Submission.objects.filter(pk=filing.pk).update(extra_values=original)
        assert filing_input_hash(batch=gd_batch, enterprise_id=filing.enterprise_id) == stored
    # A field added after the run, that nobody filed yet, changes no firm's hash (the engine reads it as 0).
    batch_field_create(batch=gd_batch, user=admin, code="cooperation_projects", label_zh="产学研合作项目",
                       label_en="University projects", kind="integer")  # fmt: skip
    stored = Score.objects.get(run_id=run.pk, enterprise_id=filings[0].enterprise_id).input_hash
    assert filing_input_hash(batch=gd_batch, enterprise_id=filings[0].enterprise_id) == stored


@pytest.mark.django_db
def test_the_self_assessment_scores_a_changed_extra_value(gd_batch, admin, field):
    from scoring.models import Score
    from scoring.selectors import what_if_score
    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    filings = _filings(gd_batch)
    run = scoring_run_create(batch=gd_batch, user=admin, system=_local_system(admin), enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run = scoring_run_publish(run=type(run).objects.get(pk=run.pk), user=admin)
    firm = next(f for f in filings if not f.extra_values)  # files none: L9 scores 0
    row = Score.objects.select_related("run").get(run=run, enterprise_id=firm.enterprise_id)
    column = run.indicator_codes.index("L9")
    same = what_if_score(score_row=row, values={})
    assert same.total == float(row.total) and same.points[column] == 0
    more = what_if_score(score_row=row, values={CODE: 3.0})  # full marks at the reference of 3
    assert more.points[column] == {"startup": 3, "growth": 4, "stable": 4}[more.stage]
    assert more.total == pytest.approx(same.total + more.points[column], abs=0.011)


@pytest.mark.django_db
def test_the_sandbox_reloads_when_a_field_is_added_and_refuses_a_batch_without_it(client, gd_batch, admin, field):
    from scoring.sandbox import population_version, sandbox_cache_clear

    sandbox_cache_clear()
    _filings(gd_batch, count=12)
    system = _local_system(admin)
    before = population_version(batch=gd_batch)
    batch_field_create(batch=gd_batch, user=admin, code="cooperation_projects", label_zh="产学研合作项目",
                       label_en="University projects", kind="integer")  # fmt: skip
    assert population_version(batch=gd_batch) != before
    other = BatchFactory(region_scope="44")
    SubmissionFactory(batch=other, enterprise=EnterpriseFactory(region_code="440305"), status="approved")
    client.force_login(admin)
    edit = reverse("scoring:system-edit", args=[system.pk])
    form = client.get(edit).context
    data = _editor_post(form)
    refused = client.post(edit, {**data, "action": "preview", "batch": other.pk}).content.decode()
    assert 'id="draft-errors"' in refused and CODE in refused
    shown = client.post(edit, {**data, "action": "preview", "batch": gd_batch.pk}).content.decode()
    assert 'id="preview-funnel"' in shown and 'id="draft-errors"' not in shown


def _editor_post(context) -> dict:
    """The editor's form as the page would post it unchanged."""
    data = {}
    for form in (context["form"], context["formset"].management_form, *context["formset"].forms):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = ", ".join(f"{v:g}" for v in value) if isinstance(value, list) else value
    return data


# --- Browser -------------------------------------------------------------------------------------------------------

PASSWORD = "Bureau-pass-2025"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("width", [1366, 390])
def test_an_admin_adds_a_field_and_a_local_indicator_previews_it_and_a_firm_files_it(browser, live_server, width):
    from core.models import BureauStaff, User
    from scoring.sandbox import sandbox_cache_clear

    sandbox_cache_clear()
    batch = BatchFactory(region_scope="44", name="广东测试批次")
    _filings(batch, count=30)
    system = IndicatorSystemFactory(region_scope="44", code="gdtest")
    admin = User.objects.create_user("field-admin", password=PASSWORD)
    BureauStaff.objects.create(user=admin, bureau_name="广东省科学技术厅", region_scope="44", role="admin")
    firm = EnterpriseFactory(region_code="440305")
    firm_user = MembershipFactory(enterprise=firm).user
    firm_user.set_password(PASSWORD)
    firm_user.save()

    page = new_tab(browser, viewport={"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "field-admin", PASSWORD)

    # 1. The batch's extra field, from the batch page.
    page.goto(f"{base}/bureau/batches/{batch.pk}/")
    page.click("#batch-fields")
    page.fill("#id_code", CODE)
    page.fill("#id_label_zh", "省级研发平台数量")
    page.fill("#id_label_en", "Provincial R&D platforms")
    page.fill("#id_unit", "个")
    page.select_option("#id_kind", "integer")
    page.fill("#id_max_value", "50")
    page.click("#batch-field-save")
    page.wait_for_selector(f'#extra-fields tr[data-code="{CODE}"]')
    fits(page, width)

    # 2. A local indicator on it in the editor: the spare row, 3/4/4 points moved from T7 (standards).
    page.goto(f"{base}/bureau/systems/{system.pk}/edit/")
    prefix = page.eval_on_selector('#indicator-table input[name$="-code"][value="T7"]',
                                   "node => node.name.replace(/-code$/, '')")  # fmt: skip
    for stage in ("startup", "growth", "stable"):
        page.fill(f'#indicator-table input[name="{prefix}-weight_{stage}"]', "0")
    spare = page.eval_on_selector_all('#indicator-table input[name$="-code"]', "nodes => nodes.at(-1).name")
    spare = spare.removesuffix("-code")
    assert page.locator(f'select[name="{spare}-source_field"] optgroup option[value="{CODE}"]').count() == 1
    for name, value in (
        ("code", "L9"),
        ("name", "省级研发平台数量"),
        ("category", "辅助"),
        ("order", "99"),
        ("reference", "3"),
        ("weight_startup", "3"),
        ("weight_growth", "4"),
        ("weight_stable", "4"),
    ):
        page.fill(f'[name="{spare}-{name}"]', value)
    page.select_option(f'select[name="{spare}-source_field"]', CODE)
    page.select_option(f'select[name="{spare}-method"]', "reference")
    assert page.is_hidden("#weight-warning")

    # 3. The sandbox preview on the batch shows the draft with the local indicator.
    page.select_option("#id_batch", str(batch.pk))
    page.click("#preview-button")
    page.wait_for_selector("#preview-funnel")
    assert page.locator("#draft-errors").count() == 0
    assert page.inner_text("#funnel-draft").strip() != ""
    screenshot(page, f"local-field-preview-{width}")
    page.click("button[name=action][value=save]")
    page.wait_for_url(f"{base}/bureau/systems/{system.pk}/")
    assert "省级研发平台数量" in page.inner_text("body")

    # 4. The firm files the value on its filing page.
    sign_in(page, base, firm_user.username, PASSWORD)
    page.goto(f"{base}/enterprise/filing/?batch={batch.pk}")
    label = page.inner_text(f'[data-field="extra__{CODE}"] label')
    assert "省级研发平台数量(个)" in label
    for name, value in GOOD_FILING.items():
        page.fill(f'[name="{name}"]', value)
    page.fill(f'[name="extra__{CODE}"]', "-2")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(f'[data-error-for="extra__{CODE}"]:has-text("不能为负数")')
    page.fill(f'[name="extra__{CODE}"]', "2")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".message.success, .messages .success, [class*=success]")
    fits(page, width)
    assert Submission.objects.get(enterprise=firm, batch=batch).extra_values == {CODE: "2"}
