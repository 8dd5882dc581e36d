"""What a bank's IT needs to integrate: banks, branches, the bank's own products and guarantors over the API; the
scope each operation needs, in the schema and in a 403's body; a bad cursor or ordering is a 400; enums named."""

from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from banks.models import LoanProduct
from banks.tests.api_fixtures import token_client
from core.models import Bank, Branch, GuaranteeInstitution


@pytest.fixture
def bank_client(icbc, cmb):
    return token_client(scopes=["loans:write"], bank=icbc)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def test_a_bank_reads_the_banks_the_branches_and_only_its_own_products(bank_client, icbc, cmb):
    banks = results(bank_client.get(reverse("api:bank-list"), {"page_size": 100}))
    assert {b["code"] for b in banks} >= {"icbc", "cmb"}
    icbc_row = next(b for b in banks if b["code"] == "icbc")
    assert (icbc_row["kind"], icbc_row["is_national"]) == (icbc.kind, True)
    branches = results(bank_client.get(reverse("api:branch-list"), {"bank": cmb.pk}))
    assert {b["id"] for b in branches} == set(Branch.objects.filter(bank=cmb).values_list("pk", flat=True))
    products = results(bank_client.get(reverse("api:product-list")))
    assert {p["id"] for p in products} == set(LoanProduct.objects.filter(bank=icbc).values_list("pk", flat=True))
    narrow = next(p for p in products if p["name"] == "科创成长贷")
    assert narrow["min_grade"] == "B" and narrow["stages"] == ["growth", "stable"]
    assert narrow["branches"] == list(icbc.branches.filter(region_scope="44").values_list("pk", flat=True))
    assert Decimal(narrow["line_by_grade"]["A"]) == 3000
    foreign = LoanProduct.objects.filter(bank=cmb).first()
    assert bank_client.get(reverse("api:product-detail", args=[foreign.pk])).status_code == 404
    LoanProduct.objects.filter(pk=narrow["id"]).update(active=False)
    on_sale = results(bank_client.get(reverse("api:product-list"), {"active": "true"}))
    assert narrow["id"] not in {p["id"] for p in on_sale}


def test_guarantors_are_listed_with_their_risk_level(bank_client, db):
    GuaranteeInstitution.objects.create(name="某担保", kind="local", region_scope="4403")
    rows = results(bank_client.get(reverse("api:guarantor-list"), {"page_size": 100}))
    row = next(r for r in rows if r["name"] == "某担保")
    assert (row["kind"], row["compensation_rate"], row["risk_level"], row["accepting"]) == (
        "local", "0.00", "normal", True)  # fmt: skip


def test_a_token_without_the_scope_is_told_which_one_it_needs(icbc):
    client = token_client(scopes=["scores:read"], bank=icbc)
    refused = client.get(reverse("api:product-list"))
    assert refused.status_code == 403
    body = refused.json()
    assert body["code"] == "permission_denied"
    assert body["required_scopes"] == ["recommendations:read", "loans:write"]
    assert "recommendations:read / loans:write" in body["message"]
    loans = client.get(reverse("api:loan-list"))
    assert loans.status_code == 403 and loans.json()["required_scopes"] == ["loans:write"]


def test_a_bad_cursor_or_ordering_is_a_400_naming_the_parameter(bank_client, run):
    bad_cursor = bank_client.get(reverse("api:loan-list"), {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400 and set(bad_cursor.json()["fields"]) == {"cursor"}
    fixed = bank_client.get(reverse("api:loan-list"), {"ordering": "amount"})
    assert fixed.status_code == 400 and set(fixed.json()["fields"]) == {"ordering"}
    scores = token_client(scopes=["scores:read"]).get(
        reverse("api:batch-scores", args=[run.batch_id]), {"ordering": "total"}
    )
    assert scores.status_code == 400 and "enterprise_id" in scores.json()["fields"]["ordering"][0]
    ok = token_client(scopes=["scores:read"]).get(
        reverse("api:batch-scores", args=[run.batch_id]), {"ordering": "enterprise_id"}
    )
    assert ok.status_code == 200


def test_the_schema_states_each_operations_scope_and_names_its_enums(tmp_path, db):
    path = tmp_path / "schema.yaml"
    call_command("spectacular", file=str(path))
    schema = yaml.safe_load(path.read_text())
    operations = [op for ops in schema["paths"].values() for op in ops.values() if isinstance(op, dict)]
    assert operations and all("x-required-scopes" in op for op in operations)
    products = schema["paths"]["/api/v1/products/"]["get"]
    assert products["x-required-scopes"] == ["recommendations:read", "loans:write"]
    assert "`recommendations:read` or `loans:write`" in products["description"]
    enums = {name for name, component in schema["components"]["schemas"].items() if "enum" in component}
    assert {"GradeEnum", "StageEnum", "BankKindEnum", "InstitutionKindEnum", "LoanWarningKindEnum",
            "RiskLevelEnum", "RepaymentStatusEnum", "RunStateEnum"} <= enums  # fmt: skip
    assert not [name for name in enums if any(ch.isdigit() for ch in name)]  # no name made of a hash
    error = schema["components"]["schemas"]["ApiError"]["properties"]
    assert "required_scopes" in error
    assert Bank.objects.exists()
