"""Browser test of the region picker (``static/js/region-picker.js``) in Debian's Chromium: choosing a province lists
its cities, a city its counties; the field gets a county's code on the sign-up form (a province alone is incomplete)
and a prefix on a scope field kept inside the officer's region; a typed code moves the selects; nothing breaks the
Content-Security-Policy."""

import pytest

from tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pass-word-123"  # core.tests.factories.UserFactory
CSP_PROBE = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));"  # noqa: E501


@pytest.fixture
def page(page):
    """The suite's tab, failing the test on any script error or Content-Security-Policy violation."""
    page.add_init_script(CSP_PROBE)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    assert errors == [] and page.evaluate("window.__csp") == []


def selects(page, field):
    picker = page.locator(f".region-picker:has(input[name={field}])")
    return [picker.locator("select").nth(i) for i in range(3)], picker.locator(f"input[name={field}]")


def test_the_sign_up_picker_gives_a_county_code_and_follows_a_typed_one(page, live_server):
    page.goto(f"{live_server.url}/enterprise/register/")
    (province, city, county), code = selects(page, "region_code")
    province.wait_for(state="visible")
    assert city.is_hidden() and county.is_hidden()
    province.select_option("440000")
    assert code.input_value() == ""  # a province alone is not a firm's place
    city.select_option("440300")
    county.select_option(label="南山区")
    assert code.input_value() == "440305"
    province.select_option("110000")  # a municipality: its districts come straight after it
    assert code.input_value() == "" and county.is_hidden()
    city.select_option(label="朝阳区")
    assert code.input_value() == "110105"
    code.fill("441900")  # typed: 东莞市, a city without counties
    assert province.input_value() == "440000" and city.input_value() == "441900" and county.is_hidden()


def test_a_scope_picker_gives_a_prefix_inside_the_officers_region(page, live_server):
    from tests.factories import BureauStaffFactory

    BureauStaffFactory(user__username="gd-admin", region_scope="44")
    sign_in(page, live_server.url, "gd-admin", PASSWORD)
    page.goto(f"{live_server.url}/bureau/api-clients/new/")
    (province, city, county), scope = selects(page, "region_scope")
    city.wait_for(state="visible")
    assert province.is_disabled() and province.input_value() == "440000"  # the issuer's own region, fixed
    assert "江苏省" not in province.inner_text()
    city.select_option("440300")
    assert scope.input_value() == "4403"
    county.select_option("440305")
    assert scope.input_value() == "440305"
    city.select_option("")
    assert scope.input_value() == "44" and county.is_hidden()
