// The dashboards' charts (templates/dashboard/leader.html, city.html): the figures are embedded in the page as JSON
// (#dashboard-data); the table under each chart holds the same figures. Vendored ECharts, canvas renderer.
(function () {
  "use strict";
  var COLORS = ["#b42318", "#dc6803", "#1570ef", "#039855", "#6941c6"];
  function bar(labels, series, stacked) {
    return {
      animation: false, color: COLORS, tooltip: { trigger: "axis" }, legend: {},
      grid: { containLabel: true, left: 8, right: 8, bottom: 8 },
      xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: series.map(function (s) {
        return { name: s.name, type: s.type || "bar", stack: stacked ? "all" : undefined, data: s.data,
                 markLine: s.markLine, areaStyle: s.area ? {} : undefined };
      }),
    };
  }
  var BUILD = {
    trend: function (d) {
      var series = d.trend.series.map(function (s) { return { name: s.name, data: s.data, type: "line", area: true }; });
      return bar(d.trend.months, series, true);
    },
    sectors: function (d) { return bar(d.sectors.labels, [{ name: "", data: d.sectors.values }], false); },
    funnel: function (d) {
      return { animation: false, color: COLORS, tooltip: {}, series: [{ type: "funnel", sort: "none", left: "10%", width: "80%",
        data: d.funnel.labels.map(function (l, i) { return { name: l, value: d.funnel.values[i] }; }) }] };
    },
    districts: function (d) {
      return bar(d.districts.labels, [
        { name: d.districts.names[0], data: d.districts.in_force },
        { name: d.districts.names[1], data: d.districts.red },
      ], false);
    },
    debt: function (d) {
      var t = d.debt.thresholds, lines = [];
      [["yellow", "#fdb022"], ["orange", "#f79009"], ["red", "#d92d20"]].forEach(function (p) {
        if (t[p[0]] !== undefined) lines.push({ yAxis: t[p[0]], lineStyle: { color: p[1] }, label: { formatter: t[p[0]] + "%" } });
      });
      return bar(d.debt.labels, [{ name: "%", data: d.debt.ratios, markLine: { symbol: "none", data: lines } }], false);
    },
    arrears: function (d) {
      return bar(d.arrears.months, [
        { name: d.arrears.names[0], data: d.arrears.cleared },
        { name: d.arrears.names[1], data: d.arrears.cumulative, type: "line" },
      ], false);
    },
    commitments: function (d) { return bar(d.commitments.labels, d.commitments.series, true); },
    grades: function (d) {
      return { animation: false, color: ["#039855", "#1570ef", "#dc6803", "#b42318"], tooltip: {}, legend: {},
        series: [{ type: "pie", radius: ["40%", "70%"],
          data: d.grades.labels.map(function (l, i) { return { name: l, value: d.grades.values[i] }; }) }] };
    },
    district_scores: function (d) {
      return bar(d.district_scores.labels, [{ name: "", data: d.district_scores.values }], false);
    },
  };
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var boxes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(boxes, function (box) {
      var build = BUILD[box.dataset.chart];
      if (!build) return;
      var chart = echarts.init(box, null, { renderer: "canvas" });
      chart.setOption(build(data));
      box.dataset.rendered = "true";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
