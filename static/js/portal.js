/* Large-text (适老化) switch. The <head> script applies the saved choice before first paint;
   this only wires up the button, so pages read fine without JavaScript. */
(function () {
  "use strict";
  var KEY = "portal-large-text";
  var root = document.documentElement;
  var button = document.getElementById("text-size-toggle");
  if (!button) return;

  function render() {
    var on = root.classList.contains("large-text");
    // The label stays "大字模式"; aria-pressed (and its style) tells whether it is on.
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  button.addEventListener("click", function () {
    var on = !root.classList.contains("large-text");
    root.classList.toggle("large-text", on);
    try {
      if (on) localStorage.setItem(KEY, "1");
      else localStorage.removeItem(KEY);
    } catch (e) { /* private mode: the switch still works for this page */ }
    render();
  });

  // Another tab changed the setting.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      root.classList.toggle("large-text", event.newValue === "1");
      render();
    }
  });

  render();
  button.hidden = false;
})();
