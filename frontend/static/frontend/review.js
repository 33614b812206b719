// Draft autosave for the review form: a few seconds after the reviewer stops changing it, post the form
// with action=autosave and say so in the status line. Nothing is submitted this way, and a scale error
// in a half-finished draft is reported, not lost: the server keeps what was valid before.
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave]");
  const status = document.getElementById("autosave-status");
  if (!form || !status || !window.fetch) return;
  let timer = null;

  async function save() {
    const body = new FormData(form);
    body.set("action", "autosave");
    try {
      const target = form.getAttribute("action") || window.location.href; // form.action is the "action" button
      const response = await fetch(target, {
        method: "POST", body, headers: { "X-Requested-With": "fetch" }, credentials: "same-origin",
      });
      const result = await response.json();
      const at = new Date(result.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      status.textContent = result.saved ? "Draft saved automatically at " + at + "." : "Not saved yet: " + result.message;
    } catch (error) {
      status.textContent = "Could not save automatically (offline?). Use Save draft.";
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    status.textContent = "Unsaved changes…";
    timer = setTimeout(save, 2000);
  });
  const summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
