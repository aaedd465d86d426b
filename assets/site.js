/* Filters for card and list pages, and the print button. No framework; without
   JavaScript the forms stay hidden and every item is listed. */
(function () {
  "use strict";
  function setupFilter(form) {
    var target = document.querySelector(form.getAttribute("data-filter-target"));
    if (!target) return;
    var items = target.querySelectorAll(form.getAttribute("data-filter-item"));
    var status = form.querySelector(".filter-status");
    var selects = form.querySelectorAll("select");
    function matches(item, name, value) {
      if (!value) return true;
      var have = (item.getAttribute("data-" + name) || "");
      // Regions and industries hold several values, '|' separated.
      return have === value || have.split("|").indexOf(value) >= 0;
    }
    function apply() {
      var shown = 0;
      for (var i = 0; i < items.length; i++) {
        var ok = true;
        for (var j = 0; j < selects.length; j++) {
          ok = ok && matches(items[i], selects[j].name, selects[j].value);
        }
        items[i].hidden = !ok;
        if (ok) shown++;
      }
      // Hide group sections left empty by the filter.
      var groups = target.querySelectorAll("section");
      for (var g = 0; g < groups.length; g++) {
        var visible = groups[g].querySelectorAll(form.getAttribute("data-filter-item") + ":not([hidden])");
        groups[g].hidden = visible.length === 0;
      }
      if (status) {
        status.textContent = shown ? status.getAttribute("data-template").replace("{n}", shown)
                                   : status.getAttribute("data-empty");
      }
    }
    form.addEventListener("change", apply);
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  }
  var forms = document.querySelectorAll("form[data-filter-target]");
  for (var f = 0; f < forms.length; f++) setupFilter(forms[f]);
  var copiers = document.querySelectorAll("[data-copy]");
  for (var c = 0; c < copiers.length; c++) {
    if (!navigator.clipboard) break;
    copiers[c].hidden = false;
    copiers[c].addEventListener("click", function (e) {
      var b = e.currentTarget;
      navigator.clipboard.writeText(b.getAttribute("data-copy")).then(function () {
        b.textContent = b.getAttribute("data-done");
      });
    });
  }
  var printers = document.querySelectorAll("[data-print]");
  for (var p = 0; p < printers.length; p++) {
    printers[p].hidden = false;
    printers[p].addEventListener("click", function () { window.print(); });
  }
})();
