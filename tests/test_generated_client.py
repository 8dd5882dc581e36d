"""An API a bank integrates in an hour: a typed client generated from the published OpenAPI schema
(``openapi-python-client``, in a temporary folder) records a loan and its guarantee against the live server — the
products and guarantors it needs come from the API too, not from scraped pages."""

import importlib
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from banks.models import LoanProduct, Recommendation
from banks.tests.api_fixtures import target_recommendation
from core.models import ApiClient, GuaranteeInstitution
from guarantees.models import GuaranteeContract
from loans.models import LoanContract

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the seeded systems survive
GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
def generated(tmp_path):
    """The client package ``ipp_client``, generated from the schema this code serves, importable."""
    if not GENERATOR.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {GENERATOR} is missing")
        pytest.skip("needs openapi-python-client in the virtualenv")
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", file=str(schema))
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"project_name_override": "ipp-client", "package_name_override": "ipp_client",
                                      "post_hooks": []}))  # fmt: skip
    subprocess.run(  # noqa: S603 # nosec B603 # our own generator on our own schema, no shell
        [str(GENERATOR), "generate", "--path", str(schema), "--config", str(config), "--meta", "none",
         "--output-path", str(tmp_path / "ipp_client")],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("ipp_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == "ipp_client" or m.startswith("ipp_client.")]:
            del sys.modules[name]


def test_a_generated_client_records_a_loan_and_its_guarantee(generated, live_server, pushed, icbc):
    from ipp_client.api.guarantors import guarantors_list
    from ipp_client.api.loans import loans_guarantee_create
    from ipp_client.api.products import products_list
    from ipp_client.api.recommendations import (
        recommendations_claim_create,
        recommendations_loan_create,
        recommendations_status_create,
    )
    from ipp_client.models import (
        GuaranteeContractCreateRequest,
        GuaranteeModeEnum,
        LoanContractCreateRequest,
        RecommendationStatusEnum,
        RecommendationStatusRequest,
    )

    record = ApiClient(name="工行信贷系统", bank=icbc,
                       scopes=["recommendations:read", "loans:write", "guarantees:write"])  # fmt: skip
    token = record.issue_token()
    record.save()
    provincial = GuaranteeInstitution.objects.create(name="广东省再担保", kind="provincial", region_scope="44")
    local = GuaranteeInstitution.objects.create(name="深圳某担保", kind="local", region_scope="4403")
    client = generated.AuthenticatedClient(base_url=live_server.url, token=token, prefix="Token")
    rec = target_recommendation(icbc)

    products = products_list.sync(client=client)
    assert {p.id for p in products.results} == set(LoanProduct.objects.filter(bank=icbc).values_list("pk", flat=True))
    product = next(p for p in products.results if p.id in rec.product_ids)
    guarantors = {g.name: g for g in guarantors_list.sync(client=client, page_size=100).results}
    assert guarantors["深圳某担保"].accepting and guarantors["广东省再担保"].compensation_rate == "0.00"

    assert recommendations_claim_create.sync_detailed(id=rec.pk, client=client).status_code == 200
    for step in (RecommendationStatusEnum.CONTACTED, RecommendationStatusEnum.APPROVED):
        response = recommendations_status_create.sync_detailed(
            id=rec.pk, client=client, body=RecommendationStatusRequest(status=step)
        )
        assert response.status_code == 200, response.content[:300]
    loan = recommendations_loan_create.sync_detailed(
        id=rec.pk, client=client,
        body=LoanContractCreateRequest(product=product.id, amount="100.00", rate="3.000", term_months=6,
                                       signed_on=date.today(), guarantee_mode=GuaranteeModeEnum.SPECIAL_PLAN),
    )  # fmt: skip
    assert loan.status_code == 201, loan.content[:300]
    guarantee = loans_guarantee_create.sync_detailed(
        id=loan.parsed.id, client=client,
        body=GuaranteeContractCreateRequest(
            guarantor=guarantors["深圳某担保"].id, reguarantor=guarantors["广东省再担保"].id, amount="100.00",
            bank_share="20", national_fund_share="30", provincial_share="25", local_share="25",
            guarantee_fee_rate="1.000", reguarantee_fee_rate="0.300", signed_on=date.today(),
        ),
    )  # fmt: skip
    assert guarantee.status_code == 201, guarantee.content[:300]

    stored = LoanContract.objects.get(pk=loan.parsed.id)
    assert (stored.recommendation_id, stored.product_id, stored.guarantee_mode) == (rec.pk, product.id, "special_plan")
    assert GuaranteeContract.objects.get(loan=stored).guarantor == local
    assert Recommendation.objects.get(pk=rec.pk).status == "contracted"
    assert provincial.reguarantees.count() == 1
