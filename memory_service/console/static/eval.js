// Evaluation jobs: every element with data-poll follows its job through the console's JSON copy of
// GET /v1/eval/jobs/{id}, once a second, until the job ends; a job page then reloads to show its
// results. Without script the pages still work (reload them by hand).
"use strict";
(() => {
  const PERIOD_MS = 1000;
  const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
  const fmt = (iso) => (iso ? new Date(iso).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC") : "—");

  function render(box, job) {
    const field = (name) => box.querySelector(`[data-field="${name}"]`);
    const status = field("status") || document.getElementById("job-status");
    if (status) { status.textContent = job.status; status.className = `status ${job.status}`; }
    const bar = field("bar");
    if (bar) { bar.max = job.progress.total || 1; bar.value = job.progress.done; }
    const count = field("count");
    if (count) count.textContent = `${job.progress.done} / ${job.progress.total ?? "?"}`;
    const eta = field("eta");
    if (eta) eta.textContent = job.progress.eta_s != null ? `about ${Math.round(job.progress.eta_s)} s left` : "";
    const finished = field("finished");
    if (finished && job.finished_at) finished.textContent = fmt(job.finished_at);
  }

  function follow(box) {
    const tick = async () => {
      let response;
      try {
        response = await fetch(box.dataset.poll, { headers: { Accept: "application/json" }, cache: "no-store" });
      } catch (error) {
        setTimeout(tick, PERIOD_MS * 5); // the server restarting: jobs resume, so keep following
        return;
      }
      if (!response.ok) { box.dataset.pollError = String(response.status); return; }
      const job = await response.json();
      render(box, job);
      if (!FINISHED.has(job.status)) { setTimeout(tick, PERIOD_MS); return; }
      box.dataset.finished = job.status;
      if (box.dataset.reloadWhenDone) window.location.reload();
    };
    setTimeout(tick, PERIOD_MS);
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const box of document.querySelectorAll("[data-poll]")) follow(box);
  });
})();
