"""How matches are stored (``policies.match_store``): a round replaces the batch's matches as a whole (on PostgreSQL
a fresh partition swapped in, which readers see only once it commits), re-matching one policy leaves the others'
as they were, and what the firm's and the bureau's reads return is what a per-firm evaluation finds."""

import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F

from banks.tests.fixtures import publish_new_run
from core.regions import region_range
from demo.services import demo_firms_create
from policies.match_store import partition_name
from policies.models import Policy, PolicyMatchGroup
from policies.selectors import firm_matches, match_rows, policy_reach, run_match_population
from policies.services import policies_match, policy_create
from tests.factories import BureauStaffFactory

from .reference import evaluate, firm_dicts

GOOD = {"issuer": "科技厅", "policy_class": "rd_subsidy", "benefit": "补助"}
TECH = [{"field": "is_tech_sme", "op": "is", "value": True}, {"field": "rd_intensity", "op": ">=", "value": 0.03}]
SMALL = [{"field": "revenue", "op": "<=", "value": 20000}, {"field": "employees", "op": "<=", "value": 300}]


@pytest.fixture
def published(batch):
    demo_firms_create(firms=300, seed=5, batch=batch)
    return publish_new_run(batch)


def expected(run, policy):
    """(matching firm ids, {near-miss firm id: unmet condition}) by the per-firm reference."""
    firms = run_match_population(run=run)
    results = [evaluate(f, policy.conditions, policy.region_scope) for f in firm_dicts(firms)]
    ids = firms.enterprise_id.tolist()
    matched = {ids[i] for i, (kind, _c) in enumerate(results) if kind == "match"}
    return matched, {ids[i]: c for i, (kind, c) in enumerate(results) if kind == "near"}


def stored(policy):
    rows = list(match_rows(policy=policy).rows())
    return {r.enterprise_id for r in rows if not r.near}, {r.enterprise_id: r.condition for r in rows if r.near}


def groups_of(policy):
    return sorted(PolicyMatchGroup.objects.filter(policy=policy).values_list("region", "matched", "near", "firms"))


def reconditioned(policy, conditions):
    """The policy with other conditions, saved without the save's own matching (which would run at commit)."""
    Policy.objects.filter(pk=policy.pk).update(conditions=conditions, version=F("version") + 1)
    policy.refresh_from_db()
    return policy


def test_re_matching_one_policy_replaces_its_groups_only(published):
    tech = policy_create(user=None, name="甲", conditions=TECH, **GOOD)
    small = policy_create(user=None, name="乙", conditions=SMALL, **GOOD)
    policies_match(run=published, notify=False)
    before = groups_of(tech)
    small = reconditioned(small, SMALL[:1])
    summary = policies_match(run=published, policy_ids=[small.pk], notify=False)
    assert summary.policies == 1
    assert groups_of(tech) == before  # untouched, bytes and all
    assert stored(small) == expected(published, small)
    assert set(match_rows(policy=small).policy_version) == {small.version}


def test_a_whole_round_replaces_every_active_policy_and_drops_an_inactive_ones_groups(published):
    tech = policy_create(user=None, name="甲", conditions=TECH, **GOOD)
    small = policy_create(user=None, name="乙", conditions=SMALL, **GOOD)
    policies_match(run=published, notify=False)
    assert groups_of(tech)
    Policy.objects.filter(pk=tech.pk).update(active=False)
    small = reconditioned(small, SMALL[1:])
    policies_match(run=published, notify=False)
    assert not groups_of(tech)  # of the earlier round: nobody reads an inactive policy's matches
    assert stored(small) == expected(published, small)


def test_a_round_that_fails_before_its_commit_leaves_the_previous_round(published):
    small = policy_create(user=None, name="乙", conditions=SMALL, **GOOD)
    policies_match(run=published, notify=False)
    before = groups_of(small)
    small = reconditioned(small, SMALL[:1])
    with pytest.raises(RuntimeError), transaction.atomic():
        policies_match(run=published, notify=False)
        assert groups_of(small) != before  # the new round was written, in this transaction
        raise RuntimeError("the caller's transaction fails after the swap")
    assert groups_of(small) == before


def test_a_firm_reads_exactly_its_own_entries(published):
    tech = policy_create(user=None, name="甲", conditions=TECH, **GOOD)
    small = policy_create(user=None, name="乙", region_scope="44", conditions=SMALL, **GOOD)
    policies_match(run=published, notify=False)
    want = {p.pk: expected(published, p) for p in (tech, small)}
    for firm in run_match_population(run=published).enterprise_id[::7].tolist():
        rows = {r.policy_id: r for r in firm_matches(enterprise_id=firm)}
        for policy_id, (matched, near) in want.items():
            row = rows.get(policy_id)
            if firm in matched:
                assert row is not None and not row.near
            elif firm in near:
                assert row is not None and row.near and row.condition == near[firm]
            else:
                assert row is None


def test_a_bureaus_reach_counts_its_regions_stored_entries(published):
    tech = policy_create(user=None, name="甲", conditions=TECH[:1], **GOOD)
    policies_match(run=published, notify=False)
    reviewer = BureauStaffFactory(region_scope="44", role="reviewer").user
    low, high = region_range("44")
    rows = [r for r in match_rows(policy=tech).rows() if low <= r.region < high]
    reach = policy_reach(policy=tech, who=reviewer, region="44")
    assert (reach.matched, reach.near) == (sum(not r.near for r in rows), sum(r.near for r in rows))
    assert sum(m + n for _code, m, n in reach.by_section) == len(rows) > 0
    assert {code for code, _m, _n in reach.by_region} == {f"{r.region // 100:04d}" for r in rows}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_readers_see_the_previous_round_until_the_new_one_commits(require_postgres, published):
    small = policy_create(user=None, name="乙", conditions=SMALL, **GOOD)
    policies_match(run=published, notify=False)
    old = sum(PolicyMatchGroup.objects.values_list("matched", flat=True))
    small = reconditioned(small, SMALL[:1])
    seen: list = []

    def read():  # another connection, as another web worker
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '300ms'")
                cursor.execute("SELECT coalesce(sum(matched), 0) FROM policies_policymatchgroup")
                seen.append(cursor.fetchone()[0])
        except DatabaseError as error:  # waiting for the swap's lock: it has not committed
            seen.append(type(error).__name__)
        finally:
            connection.close()

    def read_now():
        thread = threading.Thread(target=read)
        thread.start()
        thread.join()
        return seen.pop()

    with transaction.atomic():
        policies_match(run=published, notify=False)
        new = sum(PolicyMatchGroup.objects.values_list("matched", flat=True))
        assert new != old
        during = read_now()
        assert during == old or during == "OperationalError", during
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [partition_name(published.batch_id)])
            assert cursor.fetchone()[0]
    assert read_now() == new
    assert stored(small) == expected(published, small)
