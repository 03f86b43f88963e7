"""Posts, approvals, the inbox and analytics in a real browser: what a view-only
client cannot do, a client approving a post sent to them, and an editor's post
approved by a manager and published to the sandbox by the scheduler."""
import datetime
import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
import uuid

import pytest
from selenium.webdriver.common.by import By

from conftest import CrewServer, screenshot
from helpers import api, invitation_link, log_in, wait_text, wait_url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def connect_sandbox(crew, token, wid, profile):
    """The whole OAuth round trip over HTTP: start, consent page, callback."""
    start = api(crew, "POST", f"/api/v1/workspaces/{wid}/accounts/connect", {"platform": "sandbox"}, token=token)
    opener = urllib.request.build_opener(NoRedirect)
    page = opener.open(start["authorizeUrl"]).read().decode()
    sealed = re.search(r'name="request" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"request": sealed, "profile": profile, "decision": "approve"}).encode()
    try:
        opener.open(start["authorizeUrl"].split("?")[0], data=form)
    except urllib.error.HTTPError as redirect:
        callback = redirect.headers["Location"]
    request = urllib.request.Request(callback, headers={"Authorization": f"Bearer {token}"})
    try:
        opener.open(request)
    except urllib.error.HTTPError as redirect:
        assert "notice=" in redirect.headers["Location"], redirect.headers["Location"]


def add_member(crew, owner, wid, name, role, permissions=(), accounts=()):
    address = f"{name.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    api(crew, "POST", f"/api/v1/workspaces/{wid}/invitations",
        {"email": address, "role": role, "permissions": list(permissions), "accountIds": list(accounts)}, token=owner["token"])
    token = invitation_link(crew, address).split("token=")[1]
    person = api(crew, "POST", "/api/v1/auth/signup", {"email": address, "password": "a long password", "name": name})
    api(crew, "POST", "/api/v1/invitations/accept", {"token": token}, token=person["token"])
    person["email"] = address
    return person


def soon(minutes=60):
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def agency():
    crew = CrewServer(extra_env={"CREW_SYNC_SECONDS": "10"})
    tag = uuid.uuid4().hex[:6]
    owner = api(crew, "POST", "/api/v1/auth/signup", {"email": f"owner-{tag}@example.com", "password": "a long password", "name": "Olga Owner"})
    wid = api(crew, "POST", "/api/v1/workspaces", {"name": "Harbor Agency", "plan": "agency"}, token=owner["token"])["id"]
    connect_sandbox(crew, owner["token"], wid, "sbx-101")
    account = api(crew, "GET", f"/api/v1/workspaces/{wid}/accounts", token=owner["token"])["items"][0]["id"]
    api(crew, "POST", f"/api/v1/workspaces/{wid}/accounts/{account}/sync", token=owner["token"])
    people = {
        "editor": add_member(crew, owner, wid, "Eddie", "editor", accounts=[account]),
        "manager": add_member(crew, owner, wid, "Mia", "manager", accounts=[account]),
        "viewer": add_member(crew, owner, wid, "Vic", "client", accounts=[account]),
        "approver": add_member(crew, owner, wid, "Clara", "client", permissions=["approve_posts"], accounts=[account]),
    }
    yield crew, owner, wid, account, people
    crew.stop()


def test_a_view_only_client_sees_posts_but_no_controls(agency, browser):
    crew, owner, wid, account, people = agency
    post = api(crew, "POST", f"/api/v1/workspaces/{wid}/posts",
               {"accountIds": [account], "text": "Weekend opening hours", "scheduledAt": soon(), "submit": True}, token=owner["token"])["items"][0]
    log_in(browser, crew, people["viewer"]["email"])
    browser.get(f"{crew.url}/w/{wid}")
    abilities = [e.get_attribute("data-ability") for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid=ability]")]
    assert abilities == ["view_posts"], abilities
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=inbox-link]") == []
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=analytics-link]") == []
    screenshot(browser, "home-view-only-client")

    browser.get(f"{crew.url}/w/{wid}/posts?view=list")
    wait_text(browser, "[data-testid=posts-table]", "Weekend opening hours")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=composer]") == []
    browser.get(f"{crew.url}/w/{wid}/posts/{post['id']}")
    wait_text(browser, "[data-testid=post-text]", "Weekend opening hours")
    for control in ["post-approve", "post-reject", "post-submit", "post-send-to-client", "post-editor", "comment-internal"]:
        assert browser.find_elements(By.CSS_SELECTOR, f"[data-testid={control}]") == [], control
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=comment-add]"), "clients may comment"
    browser.get(f"{crew.url}/w/{wid}/inbox")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=reply-form]") == []
    assert "not allowed" in browser.find_element(By.TAG_NAME, "main").text.lower() or "forbidden" in browser.title.lower()


def test_a_client_approves_a_post_sent_for_client_approval(agency, browser):
    crew, owner, wid, account, people = agency
    post = api(crew, "POST", f"/api/v1/workspaces/{wid}/posts",
               {"accountIds": [account], "text": "Spring menu launch", "scheduledAt": soon(120), "submit": True},
               token=people["manager"]["token"])["items"][0]
    assert post["status"] == "awaiting_client"
    log_in(browser, crew, people["approver"]["email"])
    browser.get(f"{crew.url}/w/{wid}")
    assert "approve_posts" in [e.get_attribute("data-ability") for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid=ability]")]
    browser.get(f"{crew.url}/w/{wid}/posts/{post['id']}")
    wait_text(browser, "[data-testid=post-status]", "awaiting client")
    screenshot(browser, "post-awaiting-client")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=post-approve]").click()
    wait_text(browser, "[role=status]", "Post approved")
    wait_text(browser, "[data-testid=post-status]", "scheduled")
    assert api(crew, "GET", f"/api/v1/workspaces/{wid}/posts/{post['id']}", token=owner["token"])["clientApprovedBy"]["name"] == "Clara"


def test_an_editors_post_is_approved_by_a_manager_and_published_to_the_sandbox(agency, browser, second_browser):
    crew, owner, wid, account, people = agency
    log_in(browser, crew, people["editor"]["email"])
    browser.get(f"{crew.url}/w/{wid}/posts")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=composer-account]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=composer-text]").send_keys("Croissants are back")
    later = datetime.datetime.now() + datetime.timedelta(days=2)
    time_field = browser.find_element(By.CSS_SELECTOR, "[data-testid=composer-time]")
    browser.execute_script("arguments[0].value = arguments[1]", time_field, later.strftime("%Y-%m-%dT%H:%M"))
    browser.find_element(By.CSS_SELECTOR, "[data-testid=composer-zone] option[value=UTC]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=submit-post]").click()
    wait_text(browser, "[role=status]", "pending approval")
    screenshot(browser, "posts-calendar-editor")
    mine = [p for p in api(crew, "GET", f"/api/v1/workspaces/{wid}/posts?status=pending_approval", token=owner["token"])["items"]
            if p["text"] == "Croissants are back"]
    assert len(mine) == 1
    # The calendar shows it on its day.
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=calendar-post]")

    log_in(second_browser, crew, people["manager"]["email"])
    second_browser.get(f"{crew.url}/w/{wid}/posts/{mine[0]['id']}")
    second_browser.find_element(By.CSS_SELECTOR, "[data-testid=post-approve]").click()
    # Clara approves posts on this account, so the agency's approval sends it to her.
    wait_text(second_browser, "[data-testid=post-status]", "awaiting client")
    approved = api(crew, "POST", f"/api/v1/workspaces/{wid}/posts/{mine[0]['id']}/approve", token=people["approver"]["token"])
    assert approved["status"] == "scheduled"
    # Bring it forward to a few seconds from now (the API takes seconds) and let the scheduler run.
    due = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    moved = api(crew, "PATCH", f"/api/v1/workspaces/{wid}/posts/{mine[0]['id']}", {"scheduledAt": due}, token=people["manager"]["token"])
    assert moved["status"] == "scheduled"
    deadline = time.time() + 30
    while time.time() < deadline:
        second_browser.get(f"{crew.url}/w/{wid}/posts/{mine[0]['id']}")
        if second_browser.find_element(By.CSS_SELECTOR, "[data-testid=post-status]").text == "published":
            break
        time.sleep(1)
    assert second_browser.find_element(By.CSS_SELECTOR, "[data-testid=post-status]").text == "published"
    assert "sandbox.crew.test/sbx-101/posts/" in second_browser.find_element(By.CSS_SELECTOR, "[data-testid=published-link]").text
    published = urllib.request.urlopen(f"{crew.url}/sandbox/inspect/published").read().decode()
    assert "Croissants are back" in published
    screenshot(second_browser, "post-published")


def test_the_inbox_and_analytics_pages(agency, browser):
    crew, owner, wid, account, people = agency
    log_in(browser, crew, owner["user"]["email"])
    browser.get(f"{crew.url}/w/{wid}/inbox")
    first = browser.find_elements(By.CSS_SELECTOR, "[data-testid=conversation] a")[0]
    first.click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=reply-text]").send_keys("Thanks for writing!")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=reply-send]").click()
    wait_text(browser, "[role=status]", "Reply sent.")
    assert "Thanks for writing!" in browser.find_elements(By.CSS_SELECTOR, "[data-testid=message]")[-1].text
    screenshot(browser, "inbox-thread")
    browser.get(f"{crew.url}/w/{wid}/analytics?accountId={account}")
    assert browser.find_elements(By.CSS_SELECTOR, "[data-testid=chart-followers] svg path")
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=chart-impressions] svg rect")) == 28
    screenshot(browser, "analytics")
