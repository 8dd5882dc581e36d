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
  // <details data-open-wide> (a list's filters): open on a wide screen; folded on a phone so the table starts near the
  // top, unless it holds errors to read (data-keep-open). Without script it is open only when filters are set.
  var wide = window.matchMedia("(min-width: 801px)").matches;
  document.querySelectorAll("details[data-open-wide]").forEach(function (details) {
    details.open = wide || details.hasAttribute("data-keep-open");
  });
  // <button data-print>: print the page (the printable score report).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
