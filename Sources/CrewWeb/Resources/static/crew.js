// Progressive enhancement only: every form works without this file.
// Asks for confirmation before destructive submits, naming who is affected.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const button = event.submitter;
  let message = (button && button.dataset.confirm) || form.dataset.confirm;
  if (!message && form.hasAttribute("data-bulk-delete") && !(button && button.hasAttribute("formaction"))) {
    const names = [...form.querySelectorAll("input[name='memberIds[]']:checked")]
      .map((box) => box.closest("tr").dataset.name);
    if (names.length === 0) {
      event.preventDefault();
      alert("Select the members to delete first.");
      return;
    }
    message = `Remove ${names.length} member${names.length > 1 ? "s" : ""} from this workspace?\n\n${names.join("\n")}\n\nTheir posts, accounts and history stay.`;
  }
  if (message && !window.confirm(message)) event.preventDefault();
});

// Copy buttons: <button data-copy="#input-id">.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.querySelector(button.dataset.copy);
  input.select();
  try {
    await navigator.clipboard.writeText(input.value);
  } catch {
    document.execCommand("copy");
  }
  button.textContent = "Copied";
  setTimeout(() => { button.textContent = "Copy"; }, 1500);
});

// Seat previews: a form with data-seat-preview="invitation" or "link" shows,
// in its [data-seat-preview-output], what the change would do to the plan's
// seats (POST …/seats/preview changes nothing) before the person confirms.
const seatPreviewTimers = new WeakMap();
async function previewSeats(form) {
  const output = form.querySelector("[data-seat-preview-output]");
  const workspace = (form.getAttribute("action").match(/^\/w\/([^/]+)\//) || [])[1];
  if (!output || !workspace) return;
  const permissions = [...form.querySelectorAll("input[name='permissions[]']:checked")].map((box) => box.value);
  let body;
  if (form.dataset.seatPreview === "invitation") {
    const emails = form.elements.emails.value.split(/[\s,;]+/).filter(Boolean);
    if (emails.length === 0) { output.textContent = ""; return; }
    const role = form.elements.role.value;
    body = { invitation: { emails, role, permissions: role === "client" ? permissions : [] } };
  } else {
    body = { link: { permissions } };
  }
  try {
    const response = await fetch(`/api/v1/workspaces/${workspace}/seats/preview`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": form.elements.csrf_token.value },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    output.textContent = response.ok ? answer.detail : answer.detail || "The preview is not available.";
    output.classList.toggle("error", !response.ok || !answer.fits);
  } catch {
    output.textContent = "";
  }
}
for (const kind of ["input", "change"]) {
  document.addEventListener(kind, (event) => {
    const form = event.target.closest && event.target.closest("form[data-seat-preview]");
    if (!form) return;
    clearTimeout(seatPreviewTimers.get(form));
    seatPreviewTimers.set(form, setTimeout(() => previewSeats(form), 250));
  });
}

// CSV import: a picked file is read into the text field, which the form sends.
document.addEventListener("change", async (event) => {
  const input = event.target.closest("[data-csv-file]");
  if (!input || !input.files.length) return;
  const field = input.form.querySelector("[data-csv-text]");
  field.value = await input.files[0].text();
});
