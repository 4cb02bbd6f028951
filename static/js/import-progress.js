/* Import job page: while the job runs, poll its progress and move the bar; reload once it has finished so the page
   shows the outcome (imported records or the list of errors) rendered by the server. */
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.dataset.running !== "true") {
    return;
  }
  var bar = document.getElementById("job-progress-bar");
  var status = document.getElementById("job-status");
  var rows = document.getElementById("job-rows");
  var url = box.dataset.progressUrl;
  var delay = 1000;

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        bar.value = job.progress_percent;
        bar.textContent = job.progress_percent + "%";
        status.textContent = job.status_label;
        rows.textContent = job.processed_rows + " / " + job.total_rows;
        if (!job.running) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 5000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
