"""Small helpers shared by the browser tests."""
import email
import email.policy
import glob
import os
import re
import time
import uuid

from crew_api import api  # noqa: F401  (re-exported for the tests)
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def fill(browser, name, value):
    field = browser.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def submit(browser):
    browser.find_element(By.CSS_SELECTOR, "main button[type=submit]").click()


def wait_text(browser, css, text):
    """Waits until the element shows the text (forms submit asynchronously)."""
    try:
        WebDriverWait(browser, 15).until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text))
    except Exception:
        main = browser.find_element(By.TAG_NAME, "main").text
        raise AssertionError(f"{css!r} never showed {text!r} at {browser.current_url}:\n{main}")


def wait_url(browser, predicate):
    WebDriverWait(browser, 15).until(lambda b: predicate(b.current_url))


def sign_up(browser, crew, name, email=None, password="a long password"):
    email = email or f"{name.lower().replace(' ', '.')}-{uuid.uuid4().hex[:6]}@example.com"
    browser.get(crew.url + "/signup")
    fill(browser, "name", name)
    fill(browser, "email", email)
    fill(browser, "password", password)
    submit(browser)
    wait_url(browser, lambda u: not u.endswith("/signup"))
    return email


def create_workspace(browser, name, plan="agency"):
    browser.find_element(By.LINK_TEXT, "Create a workspace").click()
    fill(browser, "name", name)
    browser.find_element(By.CSS_SELECTOR, f"select[name=plan] option[value={plan}]").click()
    submit(browser)
    wait_text(browser, "[data-testid=workspace-name]", name)
    return browser.current_url.split("/w/")[1].split("?")[0]


def mail_text(path):
    """The plain-text part of an .eml file (bodies are base64 MIME parts)."""
    with open(path, "rb") as f:
        message = email.message_from_binary_file(f, policy=email.policy.default)
    part = message.get_body(preferencelist=("plain",))
    return message["To"], part.get_content() if part else ""


def invitation_link(crew, address, timeout=15):
    """The accept link from the newest mail to `address` in the outbox folder."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        files = sorted(glob.glob(os.path.join(crew.data_dir, "outbox", "*.eml")), key=os.path.getmtime, reverse=True)
        for path in files:
            to, text = mail_text(path)
            if address in str(to):
                match = re.search(r"(http\S+/invitations/accept\?token=[A-Za-z0-9_-]+)", text)
                if match:
                    return match.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no invitation mail for {address}")


def open_users_page(browser):
    """Profile menu → Users, as in the product we model."""
    browser.find_element(By.CSS_SELECTOR, "[data-testid=profile-menu]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=users-link]").click()
    wait_text(browser, "h1", "Users")


def log_in(browser, crew, email, password="a long password"):
    browser.get(crew.url + "/login")
    fill(browser, "email", email)
    fill(browser, "password", password)
    submit(browser)
    wait_url(browser, lambda u: not u.endswith("/login"))


def open_accounts_page(browser, crew, workspace_id):
    """Workspace → profile menu → Social accounts."""
    browser.get(f"{crew.url}/w/{workspace_id}")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=profile-menu]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=accounts-link]").click()
    wait_text(browser, "h1", "Social accounts")
