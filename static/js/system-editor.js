// The indicator system editor: running totals of the base (non-bonus) indicators' weights per stage, and a warning
// naming every stage whose total is not 100, updated as the officer types (the server checks the same on submit).
(function () {
  const box = document.getElementById("weight-totals"), table = document.getElementById("indicator-table");
  if (!box || !table) return;
  const warning = document.getElementById("weight-warning");
  const stages = Array.from(box.querySelectorAll(".stage-total"));

  function rows() {
    return Array.from(table.querySelectorAll("tbody tr")).filter((row) => {
      const deleted = row.querySelector('input[name$="-DELETE"]'), bonus = row.querySelector('input[name$="-is_bonus"]');
      const code = row.querySelector('input[name$="-code"]');
      return !(deleted && deleted.checked) && !(bonus && bonus.checked) && code && code.value.trim() !== "";
    });
  }

  function update() {
    const wrong = [];
    const kept = rows();
    stages.forEach((node) => {
      const stage = node.dataset.stage;
      const total = kept.reduce((sum, row) => {
        const input = row.querySelector(`input[name$="-weight_${stage}"]`);
        const value = input ? parseFloat(input.value) : 0;
        return sum + (Number.isFinite(value) ? value : 0);
      }, 0);
      const shown = Math.round(total * 1e6) / 1e6;
      node.querySelector("b").textContent = String(shown);
      const ok = Math.abs(total - 100) < 1e-9;
      node.classList.toggle("error", !ok);
      if (!ok) wrong.push(`${node.dataset.label}(${shown})`);
    });
    warning.hidden = wrong.length === 0;
    warning.textContent = wrong.length ? box.dataset.warning + wrong.join("、") : "";
  }

  table.addEventListener("input", update);
  table.addEventListener("change", update);
  update();
})();
