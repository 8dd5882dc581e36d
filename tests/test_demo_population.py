"""The demo generator writes valid, correlated data through the bulk path, and the demo logins work."""

import numpy as np
import pytest
from django.core.management import call_command

from core.validators import is_valid_uscc
from demo.population import generate
from enterprises.models import Consent, Enterprise, Submission


def test_generated_firms_are_valid_and_correlated():
    population = generate(5000, np.arange(1, 5001), seed=7)
    firms, filings = population.enterprises, population.submissions
    assert firms.credit_code.is_unique
    assert all(is_valid_uscc(code) for code in firms.credit_code)
    assert set(firms.industry_code.str[0]) <= set("ABCDEFGHIJKLMNOPQRST")
    assert (firms.industry_code.str[0] == firms.section_id).all()
    # The latent strength moves R&D, patents and qualifications together.
    z = population.strength
    assert np.corrcoef(z, np.log1p(filings.rd_expense))[0, 1] > 0.2
    assert np.corrcoef(z, filings.invention_patents)[0, 1] > 0.2
    assert filings.loc[z > 1, "is_high_tech_enterprise"].mean() > filings.loc[z < -1, "is_high_tech_enterprise"].mean()
    # Many zeros, as in real filings; only net profit and net assets may go negative.
    assert (filings.vc_investment == 0).mean() > 0.7
    signed = {"net_profit", "net_assets"}
    numeric = filings.drop(columns=["financing_amount", "financing_term_months"]).select_dtypes("number")
    assert (numeric.drop(columns=list(signed)) >= 0).all().all()
    assert (filings.net_profit < 0).any()
    # Sections lean toward manufacturing, software and research services.
    assert firms.section_id.isin(["C", "I", "M"]).mean() > 0.7


def test_same_seed_gives_the_same_population():
    a = generate(300, np.arange(1, 301), seed=3)
    b = generate(300, np.arange(1, 301), seed=3)
    assert a.submissions.equals(b.submissions)
    assert not a.submissions.equals(generate(300, np.arange(1, 301), seed=4).submissions)


@pytest.mark.django_db
def test_generate_demo_writes_firms_filings_and_consents_that_pass_model_validation():
    call_command("generate_demo", firms=400, seed=1)
    assert Enterprise.objects.count() == 400
    assert Submission.objects.filter(status="approved").count() == 400
    assert 0.75 < Consent.objects.count() / 400 < 0.95
    for enterprise in Enterprise.objects.order_by("?")[:20]:
        enterprise.full_clean()
        enterprise.submissions.get().full_clean()
    call_command("generate_demo", firms=100, seed=2)  # adds more, never collides
    assert Enterprise.objects.count() == 500


@pytest.mark.django_db
def test_demo_setup_creates_a_login_for_every_role(client):
    call_command("demo_setup", firms=300)
    from scoring.models import ScoringRun

    trial = ScoringRun.objects.get(trial=True)  # beside the published national-v1 run, to be compared with
    assert (trial.system.key, trial.state, trial.enterprise_count) == ("national-v2", "computed", 300)
    from enterprises.models import Submission
    from enterprises.review_flags import flagged

    queue = Submission.objects.filter(status="submitted")
    assert queue.count() > 12 and flagged(queue, trial.batch, "any").exists()  # the review queue has flags to try
    # A second published run (some filings corrected), so the banks' lists show what changed since the first.
    assert ScoringRun.objects.filter(batch=trial.batch, trial=False, state="published").count() == 1
    assert ScoringRun.objects.filter(batch=trial.batch, trial=False).count() == 2
    from banks.models import Recommendation

    current = Recommendation.objects.filter(run=trial.batch.scoring.published_run)
    assert current.exists() and Recommendation.objects.exclude(run=trial.batch.scoring.published_run).exists()
    # That run is in its notice period (pushed during it) with the demo firm's pending objection to handle.
    from scoring.models import Objection

    published = trial.batch.scoring.published_run
    assert published.notice_open and published.released_at is not None
    assert Objection.objects.filter(run=published, status="pending", enterprise__memberships__user__username="firm")
    for username in ("admin", "bureau", "bureau-gd", "icbc", "icbc-gd", "cmb", "guarantor", "firm"):
        assert client.login(username=username, password="Demo-2024!"), username
        assert client.get("/").status_code == 200
        client.logout()


def test_the_demo_funnel_matches_the_national_figures_under_national_v1():
    """520,000 collected → about 70,000 recommendable (±20 %): a share of 10.8 %–16.2 %."""
    from scoring.engine import BOOL_FIELDS, NUMERIC_FIELDS, Population, score
    from scoring.engine.defaults import NATIONAL_V1

    n = 40_000
    demo = generate(n, np.arange(1, n + 1), seed=11)
    firms, filings = demo.enterprises, demo.submissions
    population = Population(
        enterprise_id=firms.id.to_numpy(np.int64),
        section=(firms.section_id.map(ord).to_numpy() - ord("A")).astype(np.uint8),
        province=firms.region_code.str[:2].astype(int).to_numpy(),
        established=firms.established.to_numpy().astype("datetime64[D]"),
        values={name: filings[name].to_numpy(np.float64) for name in NUMERIC_FIELDS},
        flags={name: filings[name].to_numpy(bool) for name in BOOL_FIELDS},
        approved=np.ones(n, bool),
        consent=demo.consenting,
        reference_date="2024-12-31",
    )
    share = score(population, NATIONAL_V1).eligible.mean()
    assert 0.108 <= share <= 0.162, f"{share:.2%} recommendable"
