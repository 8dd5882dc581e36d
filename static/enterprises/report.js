// Draws the report's radar (by category) and bar (by indicator) charts from the page's JSON; ECharts is vendored.
(function () {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const label = data.labels;
  if (!window.echarts || !data) return;
  const radar = echarts.init(document.getElementById("chart-radar"), null, { renderer: "svg" });
  radar.setOption({
    animation: false,
    tooltip: {},
    // A smaller radius on a phone, and names broken onto lines, so "Growth and operations" is read whole at 390 px.
    radar: {
      radius: window.innerWidth < 600 ? "52%" : "65%",
      axisName: { formatter: (name) => name.replace(/ (?=\S{3,})/g, "\n") },
      indicator: data.categories.map((c) => ({ name: c.name, max: c.max || 1 })),
    },
    series: [{ type: "radar", data: [{ value: data.categories.map((c) => c.points), name: label.points, areaStyle: {} }] }],
  });
  const bars = echarts.init(document.getElementById("chart-bars"), null, { renderer: "svg" });
  bars.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: [label.points, label.max] },
    grid: { left: 40, right: 10, bottom: 60 },
    xAxis: { type: "category", data: data.indicators.map((i) => i.code), axisLabel: { interval: 0, rotate: 45 } },
    yAxis: { type: "value" },
    series: [
      { name: label.max, type: "bar", data: data.indicators.map((i) => i.max), itemStyle: { color: "#d9e2ec" }, barGap: "-100%" },
      { name: label.points, type: "bar", data: data.indicators.map((i) => i.points), itemStyle: { color: "#b4232a" } },
    ],
  });
  window.addEventListener("resize", () => { radar.resize(); bars.resize(); });
})();
