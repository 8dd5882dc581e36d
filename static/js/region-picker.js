// Region pickers (core.widgets.RegionPickerWidget): province → city → county <select>s that write the field's code
// input, and follow it when a code is typed there. Without script, or when the list cannot be loaded, the input
// alone works. The list is one JSON document (core.views.region_tree) shared by every picker of the page.
(function () {
  "use strict";
  var trees = {}; // source URL → Promise of {byCode, children}

  function load(url) {
    if (!trees[url]) {
      trees[url] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("region list: HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          var byCode = {};
          var children = {};
          data.regions.forEach(function (row) {
            byCode[row[0]] = { name: row[1], parent: row[2] };
            (children[row[2]] = children[row[2]] || []).push(row[0]);
          });
          return { byCode: byCode, children: children };
        });
    }
    return trees[url];
  }

  // The scope a region selects, as core.Region.prefix: 440000 → 44, 440300 → 4403, a county keeps its six digits.
  function prefix(code) {
    if (code.slice(2) === "0000") return code.slice(0, 2);
    if (code.slice(4) === "00") return code.slice(0, 4);
    return code;
  }

  // A typed code or scope prefix ('44', '4403', '440305') → the region's code, or null when it names none.
  function lookup(tree, value) {
    if (!/^(\d{2}|\d{4}|\d{6})$/.test(value)) return null;
    var code = (value + "0000").slice(0, 6);
    return tree.byCode[code] ? code : null;
  }

  // The codes from the province down to ``code``.
  function path(tree, code) {
    var out = [];
    while (code && tree.byCode[code]) {
      out.unshift(code);
      code = tree.byCode[code].parent;
    }
    return out;
  }

  function wire(picker, tree) {
    var input = picker.querySelector("input");
    var selects = Array.prototype.slice.call(picker.querySelectorAll("select"));
    var leafOnly = picker.dataset.mode === "leaf";
    var root = picker.dataset.root ? lookup(tree, picker.dataset.root) : null;
    var fixed = root ? path(tree, root) : []; // the levels of the scope the choice must stay inside

    function show(code) {
      var chosen = code ? path(tree, code) : [];
      var outside = fixed.some(function (fixedCode, i) { return chosen[i] !== fixedCode; });
      if (outside) chosen = fixed;
      var parent = "";
      selects.forEach(function (select, level) {
        while (select.options.length > 1) select.remove(1);
        var kids = level < fixed.length ? [fixed[level]] : parent === null ? [] : tree.children[parent] || [];
        kids.forEach(function (kid) { select.add(new Option(tree.byCode[kid].name, kid)); });
        select.value = chosen[level] || "";
        select.hidden = kids.length === 0;
        select.disabled = level < fixed.length;
        parent = chosen[level] || null;
      });
    }

    selects.forEach(function (select, level) {
      select.addEventListener("change", function () {
        // The region chosen here, or the one above when this level is set back to its empty choice.
        var code = select.value || (level > 0 ? selects[level - 1].value : "");
        show(code);
        if (leafOnly) input.value = code && !tree.children[code] ? code : "";
        else input.value = code ? prefix(code) : "";
        input.dispatchEvent(new Event("change", { bubbles: true }));
      });
    });
    input.addEventListener("input", function () {
      var value = input.value.trim();
      var code = lookup(tree, value);
      if (code || value === "") show(code);
    });
    show(lookup(tree, input.value.trim()));
  }

  document.querySelectorAll("[data-region-picker]").forEach(function (picker) {
    if (picker.dataset.regionPickerReady) return; // the script is referenced once per picker
    picker.dataset.regionPickerReady = "1";
    load(picker.dataset.source)
      .then(function (tree) { wire(picker, tree); })
      .catch(function () { /* the plain input stays the way in */ });
  });
})();
