// Measures as ECharts bar charts. Each .chart element names a json_script block holding
// {names: [...], series: [{name, data, axis?}]}; rates are percentages, series with axis 1 use a 0–5 scale.
(function () {
  "use strict";
  var COLOURS = ["#1565c0", "#2e7d32", "#ef6c00"];
  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    if (!data.names.length) { el.hidden = true; return; }
    var chart = echarts.init(el, null, { renderer: "svg" });
    var twoAxes = data.series.some(function (s) { return s.axis === 1; });
    var yAxis = [{ type: "value", name: "%", min: 0, max: 100 }];
    if (twoAxes) { yAxis.push({ type: "value", name: "分", min: 0, max: 5 }); }
    chart.setOption({
      animation: false,
      color: COLOURS,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: twoAxes ? 40 : 10, bottom: 30, top: 40 },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0 } },
      yAxis: yAxis,
      series: data.series.map(function (s) {
        return { name: s.name, type: s.axis === 1 ? "line" : "bar", yAxisIndex: s.axis || 0, data: s.data };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  });
})();
