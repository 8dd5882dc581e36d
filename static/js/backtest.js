// The score back-test: default and overdue rates by grade and by total band, from the page's JSON; titles and series
// names come from the charts' data-* attributes (translated by the template). Rates are percentages, 2 decimals.
(function () {
  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const grades = document.getElementById("chart-grades"), bands = document.getElementById("chart-bands");
  const grid = {left: 8, right: 16, top: 64, bottom: 8, containLabel: true};
  const rate = (p) => (p.value === null || p.value === undefined ? "—" : `${Number(p.value).toFixed(2)}%`);
  const loans = (list, i) => ` (n=${list[i]})`;
  const charts = [
    [grades, {title: {text: grades.dataset.title}, legend: {top: 28}, grid,
      tooltip: {trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${Number(v).toFixed(2)}%`)},
      xAxis: {type: "category", data: data.grades.map((g, i) => g + loans(data.grade_loans, i))},
      yAxis: {type: "value", name: grades.dataset.unit},
      series: [{type: "bar", name: grades.dataset.default, data: data.grade_default,
                label: {show: true, position: "top", formatter: rate}},
               {type: "bar", name: grades.dataset.overdue, data: data.grade_overdue}]}],
    [bands, {title: {text: bands.dataset.title}, legend: {top: 28}, grid,
      tooltip: {trigger: "axis", valueFormatter: (v) => (v === null ? "—" : `${Number(v).toFixed(2)}%`)},
      xAxis: {type: "category", data: data.bands.map((b, i) => b + loans(data.band_loans, i)),
              axisLabel: {rotate: 45, interval: 0}},
      yAxis: {type: "value", name: bands.dataset.unit},
      series: [{type: "line", name: bands.dataset.default, data: data.band_default, connectNulls: true,
                label: {show: true, formatter: rate}}]}],
  ].map(([node, option]) => {
    const chart = echarts.init(node);
    chart.setOption({animation: false, ...option});
    return chart;
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
