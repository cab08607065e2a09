// fabula serve: the start page's busy state and the progress page's polling. Text goes in by textContent only.
"use strict";
(function () {
  const form = document.getElementById("analyze-form");
  if (form) {
    form.addEventListener("submit", function () {
      const busy = document.getElementById("busy");
      const button = document.getElementById("analyze");
      if (busy) busy.hidden = false;
      if (button) button.disabled = true;
    });
  }
  const job = document.getElementById("job");
  if (!job) return;
  const id = job.dataset.job;
  const progress = document.getElementById("progress");
  const stage = document.getElementById("stage");
  const elapsed = document.getElementById("elapsed");
  const error = document.getElementById("error");
  function poll() {
    fetch("/api/jobs/" + encodeURIComponent(id), { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (s.steps) { progress.max = s.steps; progress.value = s.step; }
        stage.textContent = s.stage || s.state || "";
        if (typeof s.elapsed_s === "number") elapsed.textContent = s.elapsed_s.toFixed(1);
        if (s.state === "done") { window.location.replace(job.dataset.report); return; }
        if (s.state === "failed" || s.status === 404) {
          error.textContent = (s.status ? s.status + " " : "") + (s.detail || "the analysis failed");
          error.hidden = false;
          return;
        }
        window.setTimeout(poll, 400);
      })
      .catch(function () { window.setTimeout(poll, 1500); });
  }
  poll();
})();
