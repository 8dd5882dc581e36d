"""The new-list notice: every officer who can see the list is told once, with the number of firms they see."""

from django.core import mail

from banks.models import Notice, Recommendation, RecommendationList
from banks.services import recommendation_list_notify, recommendation_list_push, recommendation_lists_notify
from banks.tests.fixtures import officer_of
from core.models import Branch


def test_each_officer_is_told_of_the_firms_they_can_see(run, icbc, icbc_officer, icbc_gd_officer):
    result = recommendation_list_push(run=run, bank=icbc)
    head = Notice.objects.get(user=icbc_officer)
    gd = Notice.objects.get(user=icbc_gd_officer)
    in_gd = Recommendation.objects.filter(bank=icbc, run=run, region_code__startswith="44").count()
    assert 0 < in_gd < result.listed
    assert f"{result.listed} 家" in head.message and f"{in_gd} 家" in gd.message
    assert head.recommendation_list == RecommendationList.objects.get(run=run, bank=icbc)


def test_an_officer_who_can_see_none_of_the_list_is_not_told(run, icbc, icbc_officer):
    served = list(icbc.branches.all())  # Guangdong and Jiangsu: the products keep serving those only
    icbc.products.get(name="积分贷").branches.set(served)
    zhejiang = Branch.objects.create(bank=icbc, name="浙江分行", region_scope="33")
    outsider = officer_of(icbc, "icbc-zj", branch=zhejiang)
    recommendation_list_push(run=run, bank=icbc)
    assert Notice.objects.filter(user=icbc_officer).count() == 1
    assert not Notice.objects.filter(user=outsider).exists()


def test_officers_added_after_the_push_are_told_once_when_the_lists_are_notified_again(
    run, icbc, icbc_officer, django_capture_on_commit_callbacks
):
    recommendation_list_push(run=run, bank=icbc)
    late = officer_of(icbc, "icbc-late", email="late@icbc.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert recommendation_lists_notify(run=run) == 1
    assert Notice.objects.filter(user=late).count() == 1 and [m.to for m in mail.outbox] == [["late@icbc.example"]]
    summary = RecommendationList.objects.get(run=run, bank=icbc)
    assert recommendation_list_notify(summary=summary) == 0  # nobody twice
    assert Notice.objects.filter(user=icbc_officer).count() == 1 and len(mail.outbox) == 1


def test_the_demo_tells_its_officers_of_the_lists_pushed_before_they_existed(population, icbc):
    """``demo_setup`` scores and publishes (whose push may run at once) before it creates the officers."""
    from banks.tests.fixtures import publish_new_run
    from demo.loans import demo_push

    run = publish_new_run(population)
    recommendation_list_push(run=run, bank=icbc)  # the publication's push: no officer yet
    assert not Notice.objects.exists()
    officer = officer_of(icbc, "icbc-demo")
    population.refresh_from_db()
    demo_push(batch=population)
    assert Notice.objects.filter(user=officer, recommendation_list__run=run).count() == 1


def test_a_new_list_notice_reads_in_the_readers_language(client, run, icbc, icbc_officer):
    from django.urls import reverse
    from django.utils import translation

    recommendation_list_push(run=run, bank=icbc)
    client.force_login(icbc_officer)
    chinese = client.get(reverse("banks:notices")).content.decode()
    assert "收到新的推荐名单" in chinese
    client.cookies["django_language"] = "en"
    with translation.override("zh-hans"):  # the page activates English in this thread: put Chinese back after
        english = client.get(reverse("banks:notices")).content.decode()
    assert "received a new recommendation list" in english and "收到新的推荐名单" not in english
