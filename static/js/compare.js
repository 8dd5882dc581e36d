// The run comparison page: the rank-shift distribution and eligible firms by province (ECharts, from the page's JSON;
// titles and series names come from the charts' data-* attributes, translated by the template).
(function () {
  const source = document.getElementById("compare-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const shifts = document.getElementById("chart-shifts"), provinces = document.getElementById("chart-provinces");
  const grid = {left: 8, right: 16, top: 64, bottom: 8, containLabel: true};
  const charts = [
    [shifts, {title: {text: shifts.dataset.title}, tooltip: {trigger: "axis"}, grid,
      xAxis: {type: "category", data: data.shifts, axisLabel: {rotate: 45, interval: 0}},
      yAxis: {type: "value", name: shifts.dataset.unit},
      series: [{type: "bar", data: data.shift_counts}]}],
    [provinces, {title: {text: provinces.dataset.title}, tooltip: {trigger: "axis"}, legend: {top: 28}, grid,
      xAxis: {type: "category", data: data.provinces, axisLabel: {rotate: 45, interval: 0}},
      yAxis: {type: "value", name: provinces.dataset.unit},
      series: [{type: "bar", name: provinces.dataset.base, data: data.province_base},
               {type: "bar", name: provinces.dataset.other, data: data.province_other}]}],
  ].map(([node, option]) => {
    const chart = echarts.init(node);
    chart.setOption({animation: false, ...option});
    return chart;
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
