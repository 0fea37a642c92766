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
    var many = data.names.length > 6;  // many departments: slanted, shortened labels
    var yAxis = [{ type: "value", name: "%", min: 0, max: 100 }];
    if (twoAxes) { yAxis.push({ type: "value", name: "分", min: 0, max: 5 }); }
    chart.setOption({
      animation: false,
      color: COLOURS,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 40, right: twoAxes ? 40 : 10, bottom: many ? 90 : 30, top: 40 },
      xAxis: { type: "category", data: data.names, axisLabel: {
        interval: 0, rotate: many ? 45 : 0,
        formatter: function (v) { return many && v.length > 7 ? v.slice(0, 7) + "…" : v; },
      } },
      yAxis: yAxis,
      series: data.series.map(function (s) {
        var line = s.axis === 1;
        return { name: s.name, type: line ? "line" : "bar", yAxisIndex: s.axis || 0, data: s.data,
                 lineStyle: line ? { width: 0 } : undefined, symbolSize: line ? 8 : undefined };
      }),
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") { return; }
    document.querySelectorAll(".chart[data-chart]").forEach(draw);
  });
})();
