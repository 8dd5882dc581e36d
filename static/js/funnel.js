// The bureau's financing dashboard: three ECharts charts from the page's JSON; titles and series names come from the
// charts' data-* attributes (translated by the template).
(function () {
  const source = document.getElementById("chart-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const el = (id) => document.getElementById(id);
  const funnel = el("chart-funnel"), provinces = el("chart-provinces"), banks = el("chart-banks");
  echarts.init(funnel).setOption({
    animation: false, title: {text: funnel.dataset.title}, tooltip: {}, series: [{type: "funnel", sort: "none", data: data.funnel}]});
  echarts.init(provinces).setOption({
    animation: false, title: {text: provinces.dataset.title}, tooltip: {}, xAxis: {type: "category", data: data.provinces}, yAxis: {},
    series: [{type: "bar", name: provinces.dataset.recommended, data: data.province_recommended},
             {type: "bar", name: provinces.dataset.contracts, data: data.province_contracts}]});
  echarts.init(banks).setOption({
    animation: false, title: {text: banks.dataset.title}, tooltip: {}, xAxis: {type: "category", data: data.banks}, yAxis: {},
    series: [{type: "bar", name: banks.dataset.amount, data: data.bank_amount}]});
})();
