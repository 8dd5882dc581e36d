"""The policy pages: the bureau's editor (bad input → 400 naming the field, nothing saved; percentages stored as
fractions), the policy's reach limited to the bureau's region, the 免申即享 export, and the firm's own page."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from banks.tests.fixtures import publish_new_run
from demo.services import demo_firms_create
from enterprises.models import EnterpriseMembership
from policies.models import Policy
from policies.selectors import match_rows
from policies.services import policies_match, policy_create
from tests.factories import BureauStaffFactory, UserFactory

FORM = {"name": "科技创新券", "issuer": "广东省科技厅", "policy_class": "innovation_voucher", "region_scope": "44",
        "benefit": "最高20万元创新券", "deadline": "2099-06-30", "office": "高新处", "contact": "020-1234",
        "how_to_apply": "登录政务网申报", "active": "on", "cond_flags": ["is_tech_sme"],
        "t0_field": "rd_intensity", "t0_op": ">=", "t0_value": "3", "t1_field": "revenue", "t1_op": "<=",
        "t1_value": "20000"}  # fmt: skip


@pytest.fixture
def published(batch):
    demo_firms_create(firms=400, seed=11, batch=batch)
    return publish_new_run(batch)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_editor_refuses_a_negative_threshold_naming_the_field(db):
    admin = BureauStaffFactory(region_scope="44").user
    response = _client(admin).post(reverse("policies:create"), {**FORM, "t1_value": "-1"})
    assert response.status_code == 400
    assert "营业收入" in response.content.decode() and "不能为负数" in response.content.decode()
    assert not Policy.objects.exists()


def test_the_editor_refuses_a_field_it_does_not_offer(db):
    admin = BureauStaffFactory(region_scope="44").user
    response = _client(admin).post(reverse("policies:create"), {**FORM, "t0_field": "rd_magic"})
    assert response.status_code == 400 and not Policy.objects.exists()


def test_the_editor_saves_three_conditions_with_percent_as_a_fraction(db):
    admin = BureauStaffFactory(region_scope="44").user
    response = _client(admin).post(reverse("policies:create"), FORM)
    policy = Policy.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("policies:detail", args=[policy.pk])
    assert policy.conditions == [
        {"field": "is_tech_sme", "op": "is", "value": True},
        {"field": "rd_intensity", "op": ">=", "value": 0.03},
        {"field": "revenue", "op": "<=", "value": 20000.0},
    ]
    edit = _client(admin).get(reverse("policies:edit", args=[policy.pk])).content.decode()
    assert 'value="3.0"' in edit or 'value="3"' in edit  # shown again in percent


def test_a_reviewer_reads_but_cannot_create_or_edit(db):
    reviewer = BureauStaffFactory(region_scope="44", role="reviewer").user
    policy = policy_create(user=None, region_scope="44", conditions=[], name="P", issuer="I",
                           policy_class="talent", benefit="B")  # fmt: skip
    client = _client(reviewer)
    assert client.get(reverse("policies:create")).status_code == 404
    assert client.get(reverse("policies:edit", args=[policy.pk])).status_code == 404
    assert client.post(reverse("policies:match", args=[policy.pk])).status_code == 404
    assert client.get(reverse("policies:detail", args=[policy.pk])).status_code == 200


def test_a_bureau_sees_only_its_regions_firms_in_reach_list_and_export(published):
    policy = policy_create(user=None, conditions=[], name="全国政策", issuer="科技部", policy_class="talent",
                           benefit="B")  # fmt: skip
    policies_match(run=published, notify=False)
    gd = BureauStaffFactory(region_scope="44", role="reviewer").user
    rows = list(match_rows(policy=policy, near=False).rows())
    inside = [r for r in rows if 440000 <= r.region < 450000]
    outside = [r for r in rows if not 440000 <= r.region < 450000]
    assert inside and outside
    page = _client(gd).get(reverse("policies:detail", args=[policy.pk]))
    assert page.context["reach"].matched == len(inside)
    assert all(code.startswith("44") for code, _m, _n in page.context["reach"].by_region)
    export = _client(gd).get(reverse("policies:export", args=[policy.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    codes = {row[0] for row in rows[1:]}
    assert codes == {r.enterprise.credit_code for r in inside}
    assert not codes & {r.enterprise.credit_code for r in outside}
    xlsx = _client(gd).get(reverse("policies:export", args=[policy.pk]) + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_a_firm_sees_its_matches_and_near_misses_and_never_another_firms(published):
    conditions = [{"field": "rd_intensity", "op": ">=", "value": 0.03}, {"field": "is_tech_sme", "op": "is",
                                                                         "value": True}]  # fmt: skip
    policy = policy_create(user=None, conditions=conditions, name="研发补助甲", issuer="科技厅",
                           policy_class="rd_subsidy", benefit="补助", how_to_apply="网上申报")  # fmt: skip
    # The near-miss firm (its R&D intensity) meets the other condition alone: a policy on that one it matches.
    met = policy_create(user=None, conditions=conditions[1:], name="科技型企业奖励乙", issuer="科技厅",
                        policy_class="talent", benefit="奖励")  # fmt: skip
    policies_match(run=published)
    near_row = next(r for r in match_rows(policy=policy, near=True).rows() if r.condition == 0)
    other_row = next(match_rows(policy=policy, near=False).rows())
    user = UserFactory()
    EnterpriseMembership.objects.create(user=user, enterprise=near_row.enterprise, role="admin")
    page = _client(user).get(reverse("policies-firm:list"))
    body = page.content.decode()
    assert "研发补助甲" in body and "研发费用 +" in body and "网上申报" in body
    assert f'<section class="card policy" data-policy="{met.pk}">' in body and "科技型企业奖励乙" in body
    assert other_row.enterprise.name not in body
    assert [(r.policy_id, r.enterprise_id) for r in page.context["near"]] == [(policy.pk, near_row.enterprise_id)]
    assert [(r.policy_id, r.enterprise_id) for r in page.context["matched"]] == [(met.pk, near_row.enterprise_id)]


def test_match_now_stores_the_policys_matches(published):
    admin = BureauStaffFactory(region_scope="").user
    policy = policy_create(user=None, conditions=[{"field": "is_tech_sme", "op": "is", "value": True}], name="P",
                           issuer="I", policy_class="talent", benefit="B")  # fmt: skip
    assert not len(match_rows(policy=policy))  # the save's on-commit matching did not run here
    response = _client(admin).post(reverse("policies:match", args=[policy.pk]))
    assert response.status_code == 302
    assert len(match_rows(policy=policy, near=False)) > 0
