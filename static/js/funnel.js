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
  const charts = [
    [funnel, {title: {text: funnel.dataset.title}, tooltip: {trigger: "item"},
      series: [{type: "funnel", sort: "none", top: 48, bottom: 8, minSize: "8%", label: {position: "inside"},
                data: data.funnel}]}],
    [provinces, {title: {text: provinces.dataset.title}, tooltip: {trigger: "axis"}, legend: {top: 28}, grid,
      xAxis: {type: "category", data: data.provinces, axisLabel: {rotate: 45, interval: 0}}, yAxis: {type: "value"},
      series: [{type: "bar", name: provinces.dataset.recommended, data: data.province_recommended},
               {type: "bar", name: provinces.dataset.contracts, data: data.province_contracts}]}],
    [banks, {title: {text: banks.dataset.title}, tooltip: {trigger: "axis"}, grid,
      xAxis: {type: "category", data: data.banks, axisLabel: {rotate: 45, interval: 0}}, yAxis: {type: "value"},
      series: [{type: "bar", name: banks.dataset.amount, data: data.bank_amount}]}],
  ].map(([node, option]) => {
    const chart = echarts.init(node);
    chart.setOption({animation: false, ...option});
    return chart;
  });
  window.addEventListener("resize", () => charts.forEach((chart) => chart.resize()));
})();
