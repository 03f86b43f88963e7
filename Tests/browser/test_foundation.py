"""Sign up, create a workspace, log out and in again: in a real Chromium."""
import uuid

from conftest import screenshot
from helpers import fill, wait_text, wait_url
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def test_sign_up_create_workspace_log_out_and_in(crew, browser):
    email = f"dana-{uuid.uuid4().hex[:8]}@example.com"
    browser.get(crew.url + "/")
    assert browser.current_url.endswith("/login")
    browser.find_element(By.LINK_TEXT, "Create an account").click()
    fill(browser, "name", "Dana Browser")
    fill(browser, "email", email)
    fill(browser, "password", "a long password")
    screenshot(browser, "01-signup")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()

    wait_text(browser, "h1", "Welcome, Dana Browser")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=profile-menu]").text == "Dana Browser"
    browser.find_element(By.LINK_TEXT, "Create a workspace").click()
    fill(browser, "name", "Browser Agency")
    browser.find_element(By.CSS_SELECTOR, "select[name=plan] option[value=small_team]").click()
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()

    wait_text(browser, "[data-testid=workspace-name]", "Browser Agency")
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=my-role]").text == "owner"
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=seats]").text == "0 of 2"
    screenshot(browser, "02-workspace-home")
    home_url = browser.current_url

    browser.find_element(By.CSS_SELECTOR, "[data-testid=workspace-switcher]").click()
    assert browser.find_element(By.LINK_TEXT, "Browser Agency").is_displayed()
    screenshot(browser, "03-switcher")

    browser.find_element(By.CSS_SELECTOR, "form[action='/logout'] button").click()
    wait_url(browser, lambda url: url.endswith("/login"))
    browser.get(home_url)
    assert browser.current_url.endswith("/login"), "signed-out visitors are sent to log in"

    fill(browser, "email", email.upper())
    fill(browser, "password", "a long password")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    WebDriverWait(browser, 15).until(lambda b: b.current_url == home_url)
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=workspace-name]").text == "Browser Agency"


def test_wrong_password_is_shown_on_the_form(crew, browser):
    browser.get(crew.url + "/login")
    fill(browser, "email", "nobody@example.com")
    fill(browser, "password", "wrong password")
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
    wait_text(browser, "[role=alert]", "Email or password is incorrect.")
    screenshot(browser, "04-login-error")


def test_two_people_do_not_see_each_others_workspaces(crew, browser, second_browser):
    for b, name in [(browser, "Owner One"), (second_browser, "Owner Two")]:
        b.get(crew.url + "/signup")
        fill(b, "name", name)
        fill(b, "email", f"{uuid.uuid4().hex[:8]}@example.com")
        fill(b, "password", "a long password")
        b.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        wait_text(b, "h1", "Welcome")
        b.find_element(By.LINK_TEXT, "Create a workspace").click()
        fill(b, "name", f"{name} Agency")
        b.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()
        wait_text(b, "[data-testid=workspace-name]", f"{name} Agency")
    foreign = browser.current_url
    second_browser.get(foreign)
    wait_text(second_browser, "[data-testid=error-detail]", "No such workspace.")
    screenshot(second_browser, "05-foreign-workspace-404")
