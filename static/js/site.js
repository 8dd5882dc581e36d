// Behaviour every page shares, kept out of the markup so the Content-Security-Policy can forbid inline script.
(function () {
  // <select data-autosubmit>: submit its form on change (the language switch).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  // <form data-confirm="…">: an irreversible action states its consequence and asks first.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // <button data-print>: print the page (the printable score report).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
