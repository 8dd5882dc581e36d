// The scoring run page: draw the progress bar and poll the run's progress while it is active.
(function () {
  const box = document.getElementById("run-status");
  if (!box) return;
  const bar = document.getElementById("run-bar");
  bar.style.width = (Number(bar.dataset.progress) || 0) + "%";  // CSSOM, allowed by the CSP (a style="" is not)
  const active = ["queued", "loading", "scoring", "persisting"];
  if (!active.includes(box.dataset.state)) return;
  const timer = setInterval(async function () {
    const response = await fetch(box.dataset.progressUrl, {headers: {"Accept": "application/json"}});
    if (!response.ok) return;
    const run = await response.json();
    document.getElementById("run-state").textContent = run.state_display;
    bar.style.width = run.progress + "%";
    document.getElementById("run-percent").textContent = run.progress;
    document.getElementById("run-heartbeat").textContent = run.heartbeat_at ? new Date(run.heartbeat_at).toLocaleTimeString() : "—";
    if (!active.includes(run.state)) { clearInterval(timer); window.location.reload(); }
  }, 1000);
})();
