// The bureau's financing dashboard: three ECharts charts from the page's JSON; titles and series names come from the
// charts' data-* attributes (translated by the template).
(function () {
  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const el = (id) => document.getElementById(id);
  const funnel = el("chart-funnel"), provinces = el("chart-provinces"), banks = el("chart-banks");
  // containLabel keeps axis labels inside the card however narrow it gets; the legend sits under the title.
  const grid = {left: 8, right: 16, top: 64, bottom: 8, containLabel: true};
  const number = (value) => Number(value).toLocaleString(document.documentElement.lang);
  const stageLabel = (i) => {
    const stage = data.funnel[i];
    const before = i > 0 ? data.funnel[i - 1].value : 0;
    const rate = before ? ` (${((100 * stage.value) / before).toFixed(1)}%)` : "";
    return `${stage.name}: ${number(stage.value)}${rate}`;
  };
  const charts = [
    // Each stage shows its count and, after the first, the share of the stage before it (the conversion rate).
    [funnel, {title: {text: funnel.dataset.title, subtext: funnel.dataset.unit}, tooltip: {trigger: "item",
      formatter: (p) => stageLabel(p.dataIndex)},
      series: [{type: "funnel", sort: "none", top: 56, bottom: 8, minSize: "8%",
                label: {position: "inside", formatter: (p) => stageLabel(p.dataIndex)}, data: data.funnel}]}],
    [provinces, {title: {text: provinces.dataset.title}, tooltip: {trigger: "axis"}, legend: {top: 28}, grid,
      xAxis: {type: "category", data: data.provinces, axisLabel: {rotate: 45, interval: 0}},
      yAxis: {type: "value", name: provinces.dataset.unit},
      series: [{type: "bar", name: provinces.dataset.recommended, data: data.province_recommended},
               {type: "bar", name: provinces.dataset.contracts, data: data.province_contracts}]}],
    [banks, {title: {text: banks.dataset.title}, tooltip: {trigger: "axis"}, legend: {top: 28}, grid,
      xAxis: {type: "category", data: data.banks, axisLabel: {rotate: 45, interval: 0}},
      yAxis: {type: "value", name: banks.dataset.unit},
      series: [{type: "bar", name: banks.dataset.amount, data: data.bank_amount,
                label: {show: true, position: "top", formatter: (p) => number(p.value)}}]}],
  ].map(([node, option]) => {
    const chart = echarts.init(node);
    chart.setOption({animation: false, ...option});
    return chart;
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
