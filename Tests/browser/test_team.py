"""The Users page story: invite by email, accept in a second browser, edit
permissions, hit the seat limit, and remove two members at once."""
import uuid

from conftest import screenshot
from helpers import open_users_page, api, create_workspace, fill, invitation_link, sign_up, wait_text
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_invite_accept_edit_refuse_and_bulk_delete(crew, browser, second_browser):
    suffix = uuid.uuid4().hex[:6]
    sign_up(browser, crew, "Olga Owner")
    wid = create_workspace(browser, "Team Agency", plan="small_team")

    open_users_page(browser)
    wait_text(browser, "[data-testid=seat-usage]", "0 of 2")

    # Invite an editor by email.
    editor_email = f"eddie-{suffix}@example.com"
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-button]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-emails]").send_keys(editor_email)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-role] option[value=editor]").click()
    # Before sending, the dialog says what the invitation does to the seats (POST …/seats/preview).
    wait_text(browser, "[data-testid=invite-seat-preview]", "This editor will take a seat: 1 of 2 used after.")
    screenshot(browser, "10-invite-dialog")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=send-invite]").click()
    wait_text(browser, "[role=status]", f"Invitation sent to {editor_email}")
    wait_text(browser, "[data-testid=invitations]", editor_email)
    wait_text(browser, "[data-testid=seat-usage]", "1 of 2")

    # The new person accepts in a second browser session, signing up in one step.
    second_browser.get(invitation_link(crew, editor_email))
    wait_text(second_browser, "h1", "Join Team Agency")
    fill(second_browser, "name", "Eddie Editor")
    fill(second_browser, "password", "a long password")
    second_browser.find_element(By.CSS_SELECTOR, "[data-testid=signup-and-join]").click()
    wait_text(second_browser, "[data-testid=workspace-name]", "Team Agency")
    wait_text(second_browser, "[data-testid=my-role]", "editor")
    screenshot(second_browser, "11-invitee-joined")

    # A client joins too (through the API, as an integration would).
    client_email = f"cleo-{suffix}@example.com"
    browser.get(f"{crew.url}/w/{wid}/users")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-button]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-emails]").send_keys(client_email)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-role] option[value=client]").click()
    wait_text(browser, "[data-testid=invite-seat-preview]", "This client will not take a seat: 1 of 2 used after.")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=send-invite]").click()
    wait_text(browser, "[role=status]", client_email)
    token = invitation_link(crew, client_email).split("token=")[1]
    client = api(crew, "POST", "/api/v1/auth/signup", {"email": client_email, "password": "a long password", "name": "Cleo Client"})
    api(crew, "POST", "/api/v1/invitations/accept", {"token": token}, token=client["token"])

    # Edit the client's permissions: publishing makes them take the last seat.
    browser.get(f"{crew.url}/w/{wid}/users")
    browser.find_element(By.CSS_SELECTOR, f"[data-testid='edit-{client_email}']").click()
    wait_text(browser, "h1", "Edit Cleo Client")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=perm-publish_posts]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=perm-view_analytics]").click()
    screenshot(browser, "12-edit-member")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=save-member]").click()
    wait_text(browser, "[role=status]", "Saved Cleo Client")
    wait_text(browser, "[data-testid=seat-usage]", "2 of 2")
    wait_text(browser, "[data-testid=members]", "Publish posts, View analytics")

    # Over the seat limit: the refusal is shown and nothing is sent.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-button]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-emails]").send_keys(f"third-{suffix}@example.com")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=invite-role] option[value=manager]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=send-invite]").click()
    wait_text(browser, "[data-testid=page-error]", "seats")
    screenshot(browser, "13-seat-limit")

    # Bulk delete both members with the checkboxes and the Delete button.
    browser.find_element(By.CSS_SELECTOR, f"[data-testid='select-{editor_email}']").click()
    browser.find_element(By.CSS_SELECTOR, f"[data-testid='select-{client_email}']").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=bulk-delete]").click()
    alert = WebDriverWait(browser, 10).until(EC.alert_is_present())
    assert "Eddie Editor" in alert.text and "Cleo Client" in alert.text, alert.text
    alert.accept()
    wait_text(browser, "[role=status]", "Removed 2 members")
    wait_text(browser, "[data-testid=seat-usage]", "0 of 2")
    members = browser.find_element(By.CSS_SELECTOR, "[data-testid=members]").text
    assert editor_email not in members and client_email not in members
    screenshot(browser, "14-after-bulk-delete")

    # The removed editor's next request no longer reaches the workspace.
    second_browser.get(f"{crew.url}/w/{wid}")
    wait_text(second_browser, "[data-testid=error-detail]", "No such workspace.")

    # The audit log tells the story.
    browser.get(f"{crew.url}/w/{wid}/audit?action=member.removed")
    wait_text(browser, "[data-testid=audit]", "member.removed")
    screenshot(browser, "15-audit-log")



def test_invite_from_a_csv_file_after_a_preview(crew, browser, tmp_path):
    """Pick a file, see each row's outcome and the seats, fix it, send."""
    suffix = uuid.uuid4().hex[:6]
    sign_up(browser, crew, "Ivy Importer")
    wid = create_workspace(browser, "Import Agency", plan="small_team")
    open_users_page(browser)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-csv-link]").click()
    wait_text(browser, "h1", "Invite from a CSV file")

    people = tmp_path / "people.csv"
    people.write_text(
        "email,role,permissions\n"
        f"ana-{suffix}@example.com,client,approve_posts\n"
        "not-an-email,client,\n"
        f"ed-{suffix}@example.com,editor,\n")
    # The file picker fills the text field (crew.js), which the form sends.
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-file]").send_keys(str(people))
    WebDriverWait(browser, 10).until(
        lambda b: "not-an-email" in b.find_element(By.CSS_SELECTOR, "[data-testid=import-csv]").get_attribute("value"))
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-preview]").click()
    wait_text(browser, "[data-testid=import-counts]", "2 to invite · 1 invalid")
    wait_text(browser, "[data-testid=import-row-3]", "email")
    wait_text(browser, "[data-testid=import-seats]", "1 of 2 used after")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-testid=import-send]")
    screenshot(browser, "16-import-preview-invalid")

    # Fix the row in the text field and preview again: now it can be sent.
    field = browser.find_element(By.CSS_SELECTOR, "[data-testid=import-csv]")
    fixed = field.get_attribute("value").replace("not-an-email", f"cleo-{suffix}@example.com")
    browser.execute_script("arguments[0].value = arguments[1]", field, fixed)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-preview]").click()
    wait_text(browser, "[data-testid=import-counts]", "3 to invite")
    screenshot(browser, "17-import-preview-ready")
    # The confirmation comes from crew.js: click only once the page (and its script) has loaded.
    WebDriverWait(browser, 10).until(lambda b: b.execute_script("return document.readyState") == "complete")
    browser.find_element(By.CSS_SELECTOR, "[data-testid=import-send]").click()
    WebDriverWait(browser, 10).until(EC.alert_is_present()).accept()
    wait_text(browser, "[role=status]", "Sent 3 invitations")
    wait_text(browser, "[data-testid=invitations]", f"cleo-{suffix}@example.com")
    wait_text(browser, "[data-testid=seat-usage]", "1 of 2")
