"""The help article's story end to end: the owner shares the client invite link,
a client joins through it, the owner disables it for a day, refreshes it, and
removes the client again."""
import uuid

from conftest import make_browser, screenshot
from helpers import open_users_page, create_workspace, fill, sign_up, wait_text
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def open_link_panel(browser):
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-button]").click()


def test_client_invite_link_story(crew, browser, second_browser):
    suffix = uuid.uuid4().hex[:6]
    sign_up(browser, crew, "Olga Owner")
    wid = create_workspace(browser, "Link Agency", plan="agency")
    open_users_page(browser)

    # The dropdown beside Invite user holds the link; set what joiners get.
    open_link_panel(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=edit-link] summary").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-perm-view_analytics]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-platform-sandbox]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-platform-instagram]").click()
    screenshot(browser, "20-edit-link")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=save-link]").click()
    wait_text(browser, "[role=status]", "apply to people who join from now on")

    open_link_panel(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=copy-link]").click()
    wait_text(browser, "[data-testid=copy-link]", "Copied")
    link = browser.find_element(By.CSS_SELECTOR, "[data-testid=link-url]").get_attribute("value")
    assert "/join/" in link
    screenshot(browser, "21-link-panel")

    # A new client opens the link in another session and signs up in one step.
    second_browser.get(link)
    wait_text(second_browser, "[data-testid=join-title]", "Join Link Agency")
    assert "view analytics" in second_browser.page_source
    fill(second_browser, "name", "Cleo Client")
    fill(second_browser, "email", f"cleo-{suffix}@example.com")
    fill(second_browser, "password", "a long password")
    screenshot(second_browser, "22-join-page")
    second_browser.find_element(By.CSS_SELECTOR, "[data-testid=join-signup]").click()
    wait_text(second_browser, "[data-testid=workspace-name]", "Link Agency")
    wait_text(second_browser, "[data-testid=my-role]", "client")

    # The owner disables the link for one day: a third person sees the inactive page.
    browser.get(f"{crew.url}/w/{wid}/users")
    wait_text(browser, "[data-testid=members]", "Cleo Client")
    open_link_panel(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-status] option[value=disabled]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=link-duration] option[value='86400']").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=apply-link-status]").click()
    wait_text(browser, "[role=status]", "disabled")
    open_link_panel(browser)
    wait_text(browser, "[data-testid=link-state]", "Becomes enabled on")
    screenshot(browser, "23-link-disabled")
    third = make_browser()
    try:
        third.get(link)
        wait_text(third, "h1", "Invite link inactive")
        screenshot(third, "24-inactive-link")

        # Refresh: the old URL is dead for good.
        browser.get(f"{crew.url}/w/{wid}/users")
        open_link_panel(browser)
        browser.find_element(By.CSS_SELECTOR, "[data-testid=refresh-link]").click()
        alert = WebDriverWait(browser, 10).until(EC.alert_is_present())
        assert "stops working" in alert.text
        alert.accept()
        wait_text(browser, "[role=status]", "refreshed")
        open_link_panel(browser)
        new_link = browser.find_element(By.CSS_SELECTOR, "[data-testid=link-url]").get_attribute("value")
        assert new_link != link
        third.get(link)
        wait_text(third, "h1", "Invite link inactive")
    finally:
        third.quit()

    # Remove the client with the checkbox + Delete flow.
    browser.get(f"{crew.url}/w/{wid}/users")
    browser.find_element(By.CSS_SELECTOR, f"[data-testid='select-cleo-{suffix}@example.com']").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=bulk-delete]").click()
    alert = WebDriverWait(browser, 10).until(EC.alert_is_present())
    assert "Cleo Client" in alert.text
    alert.accept()
    wait_text(browser, "[role=status]", "Removed 1 member")
    assert "Cleo Client" not in browser.find_element(By.CSS_SELECTOR, "[data-testid=members]").text
    screenshot(browser, "25-client-removed")
