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
