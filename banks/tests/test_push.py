"""The recommendation push: who is listed, with what, idempotency, supersession, notices, the publish hook."""

import threading
import time
from decimal import Decimal
from unittest import mock

import numpy as np
import pytest
from django.core import mail
from django.db import connection, transaction

from banks import partitions
from banks.models import Notice, Recommendation, RecommendationList
from banks.services import (
    banks_to_push,
    recommendation_list_push,
    recommendation_push_prepare,
    recommendation_transition,
)
from banks.tasks import push_recommendations_task
from banks.tests.fixtures import publish_new_run
from core.exceptions import ApplicationError
from enterprises.models import Consent, Submission
from scoring.models import Score

GRADES = "ABCDE"


def expected_firms(run, scopes, min_grade):
    """Eligible firms of ``run`` in ``scopes`` with a grade at least ``min_grade``, computed with the ORM."""
    rows = Score.objects.filter(run=run, eligible=True).select_related("enterprise")
    return {
        s.enterprise_id
        for s in rows
        if any(s.enterprise.region_code.startswith(p) for p in scopes)
        and GRADES.index(s.grade) <= GRADES.index(min_grade)
    }


def test_the_list_holds_exactly_the_eligible_firms_matching_a_product_in_a_served_region(pushed, icbc, cmb):
    icbc_ids = set(Recommendation.objects.filter(bank=icbc).values_list("enterprise_id", flat=True))
    cmb_ids = set(Recommendation.objects.filter(bank=cmb).values_list("enterprise_id", flat=True))
    assert icbc_ids == expected_firms(pushed, ["44", "32"], "D")
    assert cmb_ids == expected_firms(pushed, ["44"], "C")
    assert icbc_ids and cmb_ids and cmb_ids != icbc_ids


def test_no_ineligible_firm_and_no_firm_outside_the_branches_regions_is_listed(pushed, icbc):
    eligible = set(Score.objects.filter(run=pushed, eligible=True).values_list("enterprise_id", flat=True))
    rows = Recommendation.objects.filter(bank=icbc).select_related("enterprise")
    assert all(r.enterprise_id in eligible for r in rows)
    assert all(r.enterprise.region_code[:2] in ("44", "32") and r.region_code == r.enterprise.region_code for r in rows)


def test_each_row_names_the_matching_products_and_the_largest_suggested_line(pushed, icbc):
    broad, narrow = icbc.products.order_by("pk")
    for rec in Recommendation.objects.filter(bank=icbc).select_related("enterprise"):
        fits_narrow = rec.region_code.startswith("44") and rec.grade in "AB" and rec.stage in ("growth", "stable")
        assert rec.product_ids == ([broad.pk, narrow.pk] if fits_narrow else [broad.pk])
        filing = Submission.objects.get(batch=pushed.batch, enterprise=rec.enterprise)
        basis = (filing.revenue + filing.revenue_prev) / 2 if filing.revenue_prev > 0 else filing.revenue
        lines = [
            min(Decimal(str(p.line_by_grade[rec.grade])), p.max_amount, basis)
            for p in (broad, narrow)
            if p.pk in rec.product_ids
        ]
        assert rec.suggested_line == max(lines).quantize(Decimal("0.01"))
        assert rec.financing_amount == filing.financing_amount


def test_the_list_is_ranked_by_total(pushed, icbc):
    rows = list(Recommendation.objects.filter(bank=icbc).order_by("list_rank"))
    assert [r.list_rank for r in rows] == list(range(1, len(rows) + 1))
    totals = [r.total for r in rows]
    assert totals == sorted(totals, reverse=True)
    score = Score.objects.get(run=pushed, enterprise_id=rows[0].enterprise_id)
    assert (rows[0].total, rows[0].grade, rows[0].stage) == (score.total, score.grade, score.stage)


def test_firms_naming_the_bank_as_preferred_are_flagged(run, icbc, icbc_officer):
    firm = Score.objects.filter(run=run, eligible=True, enterprise__region_code__startswith="44").first().enterprise
    Submission.objects.get(batch=run.batch, enterprise=firm).preferred_banks.add(icbc)
    recommendation_list_push(run=run, bank=icbc)
    flagged = Recommendation.objects.filter(bank=icbc, preferred=True)
    assert list(flagged.values_list("enterprise_id", flat=True)) == [firm.pk]


def test_pushing_the_same_run_again_creates_no_duplicates(pushed, icbc):
    before = Recommendation.objects.filter(bank=icbc).count()
    again = recommendation_list_push(run=pushed, bank=icbc)
    assert again.inserted == 0 and again.listed == before
    assert Recommendation.objects.filter(bank=icbc).count() == before
    assert RecommendationList.objects.get(run=pushed, bank=icbc).size == before


def test_a_list_is_written_whole_or_not_at_all(run, icbc, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("banks.services.RecommendationList.objects.create", fail)
    with pytest.raises(RuntimeError):
        recommendation_list_push(run=run, bank=icbc)
    assert not Recommendation.objects.filter(bank=icbc).exists()
    monkeypatch.undo()
    assert recommendation_list_push(run=run, bank=icbc).inserted == Recommendation.objects.filter(bank=icbc).count() > 0


def test_a_newer_run_supersedes_the_list_and_keeps_the_officers_work_on_firms_that_stay(
    pushed, icbc, icbc_officer, population
):
    stays, leaves = Recommendation.objects.filter(bank=icbc).order_by("list_rank")[:2]
    recommendation_transition(recommendation=stays, user=icbc_officer, status="contacted", notes="已电话联系")
    recommendation_transition(recommendation=leaves, user=icbc_officer, status="contacted")
    Consent.objects.filter(enterprise_id=leaves.enterprise_id).delete()  # no consent: not eligible in the next run

    newer = publish_new_run(population)
    result = recommendation_list_push(run=newer, bank=icbc)

    current = Recommendation.objects.filter(bank=icbc, superseded=False)
    assert set(current.values_list("run_id", flat=True)) == {newer.pk}
    assert not Recommendation.objects.filter(bank=icbc, run=pushed, superseded=False).exists()
    assert result.superseded == Recommendation.objects.filter(bank=icbc, run=pushed).count()
    moved = current.get(enterprise_id=stays.enterprise_id)
    assert (moved.status, moved.officer, moved.notes) == ("contacted", icbc_officer, "已电话联系")
    assert not current.filter(enterprise_id=leaves.enterprise_id).exists()
    assert current.exclude(enterprise_id=stays.enterprise_id).filter(status="new").count() == current.count() - 1
    assert result.carried == 1


def test_an_older_run_is_not_pushed_after_a_newer_one_is_published(pushed, icbc, population):
    publish_new_run(population)
    with pytest.raises(ApplicationError, match="已发布"):
        recommendation_list_push(run=pushed, bank=icbc)


def test_officers_get_a_notice_and_those_with_an_address_an_email(
    run, icbc, icbc_officer, icbc_gd_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = recommendation_list_push(run=run, bank=icbc)
    assert Notice.objects.filter(user=icbc_officer).count() == 1
    assert Notice.objects.filter(user=icbc_gd_officer).count() == 1
    assert str(result.listed) in Notice.objects.get(user=icbc_officer).message
    assert [m.to for m in mail.outbox] == [["head@icbc.example"]]
    with django_capture_on_commit_callbacks(execute=True):
        recommendation_list_push(run=run, bank=icbc)  # nothing new: nobody is notified twice
    assert Notice.objects.filter(user=icbc_officer).count() == 1 and len(mail.outbox) == 1


def test_publishing_a_run_pushes_every_bank_with_products_through_the_tasks(
    population, icbc, cmb, icbc_officer, django_capture_on_commit_callbacks
):
    from scoring.services import scoring_run_create, scoring_run_execute, scoring_run_publish

    run = scoring_run_create(batch=population, enqueue=False)
    scoring_run_execute(run_id=run.pk)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        scoring_run_publish(run=run)
    lists = dict(RecommendationList.objects.filter(run=run).values_list("bank__code", "size"))
    assert set(lists) == {"icbc", "cmb"}
    assert lists["icbc"] == Recommendation.objects.filter(run=run, bank=icbc).count() > 0


def test_a_branch_officer_sees_only_the_branch_regions(pushed, icbc, icbc_officer, icbc_gd_officer):
    everything = Recommendation.objects.visible_to(icbc_officer)
    branch = Recommendation.objects.visible_to(icbc_gd_officer)
    assert set(everything.values_list("region_code", flat=True)) - set(branch.values_list("region_code", flat=True))
    assert all(code.startswith("44") for code in branch.values_list("region_code", flat=True))
    assert branch.count() == everything.filter(region_code__startswith="44").count()


def test_an_officer_never_sees_another_banks_list(pushed, icbc, cmb_officer):
    assert not Recommendation.objects.visible_to(cmb_officer).filter(bank=icbc).exists()


def test_the_summary_counts_the_list_per_province(pushed, icbc):
    summary = RecommendationList.objects.get(run=pushed, bank=icbc)
    codes = np.array(Recommendation.objects.filter(bank=icbc).values_list("region_code", flat=True))
    expected = {p: int((np.char.ljust(codes.astype(str), 6).astype("U2") == p).sum()) for p in ("44", "32")}
    assert summary.by_province == {k: v for k, v in expected.items() if v}


def test_a_third_run_supersedes_the_second_and_carries_the_work_done_on_it(pushed, icbc, icbc_officer, population):
    second = publish_new_run(population)
    recommendation_list_push(run=second, bank=icbc)
    rec = Recommendation.objects.filter(bank=icbc, run=second).order_by("list_rank").first()
    recommendation_transition(
        recommendation=rec, user=icbc_officer, status="declined", category="no_interest", reason="无融资需求"
    )
    third = publish_new_run(population)
    result = recommendation_list_push(run=third, bank=icbc)
    assert result.superseded == RecommendationList.objects.get(run=second, bank=icbc).size
    assert set(Recommendation.objects.filter(bank=icbc, superseded=False).values_list("run_id", flat=True)) == {
        third.pk
    }
    moved = Recommendation.objects.get(run=third, bank=icbc, enterprise_id=rec.enterprise_id)
    assert (moved.status, moved.decline_category, moved.decline_reason, moved.officer) == (
        "declined",
        "no_interest",
        "无融资需求",
        icbc_officer,
    )
    assert result.carried == 1


def test_a_bank_whose_products_match_no_firm_gets_an_empty_list_once(run, cmb):
    cmb.products.update(stages=["stable"], sections=["T"])  # no demo firm is in section T
    first = recommendation_list_push(run=run, bank=cmb)
    assert (first.listed, first.inserted) == (0, 0)
    assert RecommendationList.objects.get(run=run, bank=cmb).size == 0
    assert recommendation_list_push(run=run, bank=cmb).inserted == 0


# --- PostgreSQL: one table per list (banks.partitions) ---------------------------------------------------------------


def partition_of(table):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parent.relname FROM pg_inherits JOIN pg_class parent ON parent.oid = inhparent"
            " WHERE inhrelid = to_regclass(%s)",
            [table],
        )
        row = cursor.fetchone()
    return row and row[0]


def row_versions(table):
    """Each row's physical address and creating transaction: a rewrite of the row changes both."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, ctid::text, xmin::text FROM {table}")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_each_list_is_a_table_of_its_own_under_its_runs_partition(require_postgres, pushed, icbc, cmb):
    for bank in (icbc, cmb):
        table = partitions.list_table(pushed.pk, bank.pk)
        assert partition_of(table) == partitions.run_table(pushed.pk)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*), min(bank_id), max(bank_id) FROM {table}")
            assert cursor.fetchone() == (RecommendationList.objects.get(run=pushed, bank=bank).size, bank.pk, bank.pk)
    assert partition_of(partitions.run_table(pushed.pk)) == "banks_recommendation"


def test_superseding_a_list_rewrites_none_of_its_rows(require_postgres, pushed, icbc, population):
    old = partitions.list_table(pushed.pk, icbc.pk)
    before = row_versions(old)
    newer = publish_new_run(population)
    recommendation_list_push(run=newer, bank=icbc)
    assert row_versions(old) == before  # same addresses, same transactions: flipped in the catalog
    assert partition_of(old) == partitions.run_table(pushed.pk)  # attached again
    rows = Recommendation.objects.filter(run=pushed, bank=icbc)
    assert rows.count() == len(before) and not rows.filter(superseded=False).exists()
    assert rows.filter(superseded=True).count() == len(before)


def test_a_left_over_empty_list_table_is_replaced_and_one_with_rows_is_refused(require_postgres, run, icbc):
    partitions.run_partition_ensure(run.pk)
    table = partitions.list_table_create(run.pk, icbc.pk)  # as a flushed test database leaves it
    assert recommendation_list_push(run=run, bank=icbc).inserted > 0
    RecommendationList.objects.filter(run=run, bank=icbc).delete()  # the summary lost, the rows not
    with pytest.raises(RuntimeError, match="already holds a list"):
        recommendation_list_push(run=run, bank=icbc)
    assert partition_of(table) == partitions.run_table(run.pk)


def test_the_fan_out_creates_the_runs_partition_before_the_bank_tasks(require_postgres, run, icbc, cmb):
    assert partition_of(partitions.run_table(run.pk)) is None
    assert recommendation_push_prepare(run=run) == banks_to_push()
    assert partition_of(partitions.run_table(run.pk)) == "banks_recommendation"
    recommendation_push_prepare(run=run)  # again: nothing to do


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_officer_working_a_firm_while_its_list_is_superseded_keeps_the_work_and_nobody_deadlocks(
    require_postgres, pushed, icbc, icbc_officer, population
):
    """The officer's transaction locks the row, then writes it (as recommendation_transition does); the push starts
    in between. The push must wait for that work, carry it over, and neither side may be chosen as a deadlock
    victim (a push that let the row lock in would wait for it at DETACH while the write waited for the push)."""
    with mock.patch.object(push_recommendations_task, "delay"):  # committed here: the push would run at once
        newer = publish_new_run(population)
    rec = Recommendation.objects.filter(run=pushed, bank=icbc).order_by("list_rank").first()
    locked, results, errors = threading.Event(), [], []

    def officer():
        try:
            with transaction.atomic():
                Recommendation.objects.select_for_update().get(pk=rec.pk)
                locked.set()
                time.sleep(1.5)  # the push is now waiting on the run's partition
                Recommendation.objects.filter(pk=rec.pk).update(status="contacted", officer=icbc_officer)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    def push():
        try:
            results.append(recommendation_list_push(run=newer, bank=icbc, notify=False))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=officer)
    first.start()
    assert locked.wait(10)
    second = threading.Thread(target=push)
    second.start()
    first.join(30)
    second.join(60)
    assert not errors
    assert results[0].carried == 1
    moved = Recommendation.objects.get(run=newer, bank=icbc, enterprise_id=rec.enterprise_id)
    assert (moved.status, moved.officer_id) == ("contacted", icbc_officer.pk)
    assert Recommendation.objects.get(pk=rec.pk).superseded
