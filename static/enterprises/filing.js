// Mirrors enterprises/filing.py in the browser so mistakes show as they are typed; the server still decides.
(function () {
  const form = document.getElementById("filing-form");
  if (!form) return;
  const text = JSON.parse(document.getElementById("filing-messages").textContent);
  const value = (name) => { const el = form.elements[name]; return el && el.value !== "" ? Number(el.value) : 0; };
  function set(kind, name, message) {
    const box = form.querySelector(`[data-${kind}-for="${name}"]`);
    if (box && box.dataset.client !== undefined) box.textContent = "";
    if (box && message) { box.textContent = message; box.dataset.client = "1"; }
  }
  function check() {
    form.querySelectorAll("[data-client]").forEach((box) => { box.textContent = ""; delete box.dataset.client; });
    form.querySelectorAll("input[data-unit]").forEach((input) => {
      if (input.value === "") return;
      if (Number.isNaN(Number(input.value))) set("error", input.name, text.number);
      else if (Number(input.value) < 0 && !input.dataset.signed) set("error", input.name, text.negative);
    });
    if (value("rd_staff") > value("employees")) set("error", "rd_staff", text.rd_staff);
    if (value("high_tech_revenue") > value("revenue")) set("error", "high_tech_revenue", text.high_tech_revenue);
    if (value("revenue") > 0 && value("rd_expense") > value("revenue")) set("warning", "rd_expense", text.rd_expense);
    for (const [cur, prev] of [["revenue", "revenue_prev"], ["rd_expense", "rd_expense_prev"]]) {
      if (value(prev) > 0 && value(cur) / value(prev) - 1 > 10) set("warning", cur, text.growth);
    }
  }
  form.addEventListener("input", check);
})();
