"""Policies saved through the service are validated (each bad input names its field; nothing is saved), versioned
and audited; matching a published run stores exactly what a per-firm evaluation finds, and notifies new matches."""

import pytest
from django.core.exceptions import ValidationError

from banks.tests.fixtures import publish_new_run
from core.audit import audit_entries_of
from demo.services import demo_firms_create
from enterprises.models import EnterpriseNotice
from policies.models import Policy, PolicyMatchGroup
from policies.selectors import match_rows, run_match_population
from policies.services import policies_match, policy_create, policy_update
from tests.factories import BureauStaffFactory

from .reference import evaluate, firm_dicts

GOOD = {"name": "研发费用补助", "issuer": "科技厅", "policy_class": "rd_subsidy", "benefit": "按研发投入的10%补助"}
CONDITIONS = [
    {"field": "is_tech_sme", "op": "is", "value": True},
    {"field": "rd_intensity", "op": ">=", "value": 0.03},
    {"field": "revenue", "op": "<=", "value": 20000},
]


@pytest.fixture
def published(batch):
    demo_firms_create(firms=400, seed=11, batch=batch)
    return publish_new_run(batch)


@pytest.mark.parametrize(
    ("conditions", "named"),
    [
        ([{"field": "rd_magic", "op": ">=", "value": 1}], "rd_magic"),
        ([{"field": "revenue", "op": "~", "value": 1}], "营业收入"),
        ([{"field": "revenue", "op": ">=", "value": -5}], "营业收入"),
        ([{"field": "rd_intensity", "op": ">=", "value": "three"}], "研发费用占营业收入比重"),
        ([{"field": "is_tech_sme", "op": "is", "value": "yes"}], "科技型中小企业"),
        ([{"field": "section", "op": "in", "value": ["Z"]}], "行业门类"),
        ([{"field": "stage", "op": "in", "value": ["teen"]}], "发展阶段"),
        ([{"field": "grade", "op": ">=", "value": "F"}], "积分等级"),
        ([{"field": "region", "op": "in", "value": ["99"]}], "所在地区"),
        ([{"field": "rank_national", "op": "<=", "value": 0}], "全国排名"),
        ([{"field": "revenue", "op": ">="}], "field、op、value"),
    ],
)
def test_a_bad_condition_is_refused_naming_its_field_and_nothing_is_saved(db, conditions, named):
    with pytest.raises(ValidationError) as error:
        policy_create(user=None, conditions=conditions, **GOOD)
    messages = error.value.message_dict["conditions"]
    assert any(named in m and m.startswith("条件 1") for m in messages), messages
    assert not Policy.objects.exists()


def test_a_region_condition_must_lie_inside_the_policys_region(db):
    with pytest.raises(ValidationError) as error:
        policy_create(user=None, region_scope="44", conditions=[{"field": "region", "op": "in", "value": ["32"]}],
                      **GOOD)  # fmt: skip
    assert "所在地区" in error.value.message_dict["conditions"][0]


def test_a_reviewer_or_another_regions_admin_cannot_save_a_policy(db):
    reviewer = BureauStaffFactory(region_scope="44", role="reviewer").user
    other = BureauStaffFactory(region_scope="32", role="admin").user
    for user in (reviewer, other):
        with pytest.raises(ValidationError):
            policy_create(user=user, region_scope="44", conditions=CONDITIONS, **GOOD)
    assert not Policy.objects.exists()


def test_an_edit_keeps_the_previous_version_and_is_audited(db):
    admin = BureauStaffFactory(region_scope="44", role="admin").user
    policy = policy_create(user=admin, region_scope="44", conditions=CONDITIONS, **GOOD)
    policy = policy_update(policy=policy, user=admin, conditions=CONDITIONS[:2], name="研发费用补助(2025)")
    assert policy.version == 2
    versions = {v.version: v.content for v in policy.versions.all()}
    assert versions[1]["conditions"] == CONDITIONS and versions[2]["conditions"] == CONDITIONS[:2]
    assert versions[1]["name"] == "研发费用补助"
    assert audit_entries_of(policy).filter(actor=admin).count() == 2


def test_matching_stores_what_a_per_firm_evaluation_finds(published):
    policy = policy_create(user=None, conditions=CONDITIONS, **GOOD)
    scoped = policy_create(user=None, region_scope="44", conditions=CONDITIONS[:2], **{**GOOD, "name": "粤"})
    summary = policies_match(run=published)
    assert summary.policies == 2 and summary.firms == 400
    firms = run_match_population(run=published)
    dicts = firm_dicts(firms)
    for p in (policy, scoped):
        expected = [evaluate(f, p.conditions, p.region_scope) for f in dicts]
        want_match = {int(firms.enterprise_id[i]) for i, (k, _c) in enumerate(expected) if k == "match"}
        want_near = {int(firms.enterprise_id[i]): c for i, (k, c) in enumerate(expected) if k == "near"}
        rows = list(match_rows(policy=p).rows())
        assert {r.enterprise_id for r in rows if not r.near} == want_match
        assert {r.enterprise_id: r.condition for r in rows if r.near} == want_near
        assert len(rows) == len(want_match) + len(want_near)  # each firm once
        assert want_match and want_near  # the demo population has both, so the comparison says something
    near_rd = next(r for r in match_rows(policy=policy, near=True).rows() if r.condition == 1)
    submission = near_rd.enterprise.submissions.get(batch=published.batch)
    # float32 in the record: 7 significant digits
    assert near_rd.gap == pytest.approx(0.03 * float(submission.revenue) - float(submission.rd_expense), rel=1e-6)
    assert near_rd.have == pytest.approx(float(submission.rd_expense) / float(submission.revenue), rel=1e-6)


def test_a_new_match_is_notified_once(published):
    policy = policy_create(user=None, conditions=CONDITIONS[:1], **GOOD)
    first = policies_match(run=published)
    matched = len(match_rows(policy=policy, near=False))
    assert first.notified == matched > 0  # one firm, one notice, naming how many policies are new for it
    assert EnterpriseNotice.objects.filter(kind="policy_match").count() == matched
    assert all(params == {"count": 1} for params in EnterpriseNotice.objects.values_list("params", flat=True))
    second = policy_create(user=None, conditions=CONDITIONS[:1], **{**GOOD, "name": GOOD["name"] + " II"})
    EnterpriseNotice.objects.all().delete()
    PolicyMatchGroup.objects.all().delete()
    both = policies_match(run=published)  # two policies new for the same firms: one notice each, saying 2
    assert both.notified == matched
    assert all(params == {"count": 2} for params in EnterpriseNotice.objects.values_list("params", flat=True))
    assert len(match_rows(policy=second, near=False)) == matched
    again = policies_match(run=published)  # the same firms match again: nothing new to tell
    assert again.notified == 0 and len(match_rows(policy=policy, near=False)) == matched


def test_a_publication_matches_every_policy_once_committed(batch, django_capture_on_commit_callbacks):
    demo_firms_create(firms=200, seed=3, batch=batch)
    policy = policy_create(user=None, conditions=CONDITIONS[:1], **GOOD)
    with django_capture_on_commit_callbacks(execute=True):
        run = publish_new_run(batch)
    assert set(match_rows(policy=policy, near=False).run_id) == {run.pk}


def test_the_command_matches_on_demand(published):
    from io import StringIO

    from django.core.management import call_command

    policy = policy_create(user=None, conditions=CONDITIONS, **GOOD)
    out = StringIO()
    call_command("match_policies", "--policy", str(policy.pk), stdout=out)
    matched = len(match_rows(policy=policy, near=False))
    assert f"{matched:,} matches" in out.getvalue() and matched > 0
