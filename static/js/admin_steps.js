// Admin: 上移 / 下移 buttons on the 办理流程 rows. A move swaps the rows on screen and their 顺序 values, so the
// saved order is what the editor sees. Loaded as a file (the admin's CSP allows no inline script).
(function () {
  "use strict";

  function rows(body) {
    return Array.prototype.filter.call(body.querySelectorAll("tr.form-row"), function (row) {
      return !row.classList.contains("empty-form") && row.querySelector("input.step-order");
    });
  }

  function addButtons(row) {
    var cell = row.querySelector("td.field-text");
    if (!cell || cell.querySelector(".step-move")) return;
    [["up", "上移"], ["down", "下移"]].forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "step-move button";
      button.dataset.direction = pair[0];
      button.textContent = pair[1];
      button.setAttribute("aria-label", pair[1] + "此步骤");
      cell.appendChild(button);
    });
  }

  function move(button) {
    var row = button.closest("tr");
    var body = row.parentNode;
    var list = rows(body);
    var i = list.indexOf(row);
    var other = list[button.dataset.direction === "up" ? i - 1 : i + 1];
    if (!other) return;
    var a = row.querySelector("input.step-order");
    var b = other.querySelector("input.step-order");
    var swap = a.value;
    a.value = b.value;
    b.value = swap;
    if (button.dataset.direction === "up") body.insertBefore(row, other);
    else body.insertBefore(other, row);
    button.focus();
  }

  function setUp() {
    document.querySelectorAll(".steps-inline tr.form-row").forEach(function (row) {
      if (row.querySelector("input.step-order")) addButtons(row);
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".step-move") : null;
    if (button) move(button);
  });
  document.addEventListener("formset:added", setUp);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUp);
  else setUp();
})();
