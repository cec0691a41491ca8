// Progressive touches only: the page is complete without this file. A changed filter applies itself, the
// custom dates show when "Custom range…" is picked, and the Print button appears.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var print = document.querySelector(".js-print");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  if (!form) { return; }
  var period = form.querySelector("select[name=period]");
  var ranges = form.querySelectorAll("[data-custom]");
  function showRange() {
    var custom = period && period.value === "custom";
    ranges.forEach(function (field) { field.toggleAttribute("data-idle", !custom); });
    return custom;
  }
  showRange();
  form.classList.add("is-live");
  form.querySelectorAll("select").forEach(function (select) {
    select.addEventListener("change", function () {
      if (select === period && showRange()) {
        var from = form.querySelector("input[name=from]");
        if (from) { from.focus(); }
        return;  // a custom range waits for its dates and Apply
      }
      form.requestSubmit();
    });
  });
}());
