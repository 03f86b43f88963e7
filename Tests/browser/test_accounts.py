"""A client connects a sandbox account through the sandbox's own consent page."""
import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import CrewServer, screenshot
from helpers import api, log_in, open_accounts_page, wait_text, wait_url


@pytest.fixture(scope="module")
def crew_with_facebook():
    # Facebook is configured (never contacted) so the test can see it offered
    # to the owner and withheld from a client who is not allowed it.
    server = CrewServer(extra_env={"CREW_PLATFORM_FACEBOOK_CLIENT_ID": "fb-app", "CREW_PLATFORM_FACEBOOK_SECRET": "fb-secret"})
    yield server
    server.stop()


def offered(browser):
    return [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "[data-testid=connect-platform] option")]


def test_client_connects_a_sandbox_account_and_cannot_remove_it(crew_with_facebook, browser, second_browser):
    crew = crew_with_facebook
    tag = uuid.uuid4().hex[:6]
    owner = api(crew, "POST", "/api/v1/auth/signup", {"email": f"owner-{tag}@example.com", "password": "a long password", "name": "Olga Owner"})
    workspace = api(crew, "POST", "/api/v1/workspaces", {"name": "Harbor Agency", "plan": "agency"}, token=owner["token"])
    link = api(crew, "PATCH", f"/api/v1/workspaces/{workspace['id']}/client-invite-link", {"allowedPlatforms": ["sandbox"]}, token=owner["token"])
    client_email = f"clara-{tag}@example.com"
    client = api(crew, "POST", "/api/v1/auth/signup", {"email": client_email, "password": "a long password", "name": "Clara Client"})
    api(crew, "POST", "/api/v1/join/" + link["url"].rsplit("/", 1)[1], token=client["token"])

    # The client: only their allowed platform is offered.
    log_in(browser, crew, client_email)
    open_accounts_page(browser, crew, workspace["id"])
    assert offered(browser) == ["sandbox"], "facebook is configured but not allowed to this client"
    browser.find_element(By.CSS_SELECTOR, "[data-testid=connect-account]").click()

    # The sandbox's consent page: pick a profile and approve.
    wait_url(browser, lambda u: "/sandbox/oauth/authorize" in u)
    assert "Sandbox Social" in browser.find_element(By.TAG_NAME, "h1").text
    browser.find_element(By.CSS_SELECTOR, "input[name=profile][value=sbx-101]").click()
    screenshot(browser, "accounts-sandbox-consent")
    browser.find_element(By.ID, "sandbox-approve").click()

    # Back in Crew with the account connected, and no way to remove it.
    wait_url(browser, lambda u: f"/w/{workspace['id']}/accounts" in u)
    wait_text(browser, "[role=status]", "Connected Harbor Bakery.")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=account-row]")
    assert [r.find_element(By.CSS_SELECTOR, "[data-testid=account-name]").text for r in rows] == ["Harbor Bakery"]
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=account-status]").text == "Connected"
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=disconnect-account]") == []
    screenshot(browser, "accounts-client")

    # The owner sees the client's account, every platform, and the disconnect control.
    log_in(second_browser, crew, f"owner-{tag}@example.com")
    open_accounts_page(second_browser, crew, workspace["id"])
    assert "facebook" in offered(second_browser)
    row = second_browser.find_element(By.CSS_SELECTOR, "[data-testid=account-row]")
    assert "Clara Client" in row.text
    assert row.find_elements(By.CSS_SELECTOR, "[data-testid=disconnect-account]")
    second_browser.execute_script("window.confirm = () => true")
    row.find_element(By.CSS_SELECTOR, "[data-testid=disconnect-account]").click()
    wait_text(second_browser, "[role=status]", "Harbor Bakery was disconnected")
    assert second_browser.find_elements(By.CSS_SELECTOR, "[data-testid=account-row]") == []
