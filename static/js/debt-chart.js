// The balance against the limit over the years (templates/disclosure/debt/region.html); the table beside it holds
// the same figures.
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("debt-chart");
    var source = document.getElementById("debt-chart-data");
    if (!box || !source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: [box.dataset.limitLabel, box.dataset.balanceLabel] },
      xAxis: { type: "category", data: data.years },
      yAxis: { type: "value" },
      series: [
        { name: box.dataset.limitLabel, type: "line", data: data.limit },
        { name: box.dataset.balanceLabel, type: "bar", data: data.balance },
      ],
    });
    box.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
