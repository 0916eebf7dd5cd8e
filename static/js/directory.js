/* Directory helpers (no inline script: CSP script-src 'self').  Without JavaScript the pages show the full
   lists and the address text; these only add a filter box and 复制地址 / 分享 buttons. */
(function () {
  "use strict";

  // Filter-as-you-type: every space-separated word must appear in the row (业务, 区县, 用途 or 号码).
  var input = document.querySelector("[data-filter-rows]");
  if (input) {
    var rows = document.querySelectorAll(input.getAttribute("data-filter-rows"));
    input.addEventListener("input", function () {
      var words = input.value.trim().split(/\s+/).filter(Boolean);
      rows.forEach(function (row) {
        var section = row.closest("section");
        var text = row.textContent + " " + (row.closest("table").caption || {}).textContent + " " +
          (section ? section.id : "");
        row.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
      });
    });
    input.closest("[hidden]").hidden = false;
  }

  function copy(text, button, done) {
    var restore = button.textContent;
    var finish = function () {
      button.textContent = done;
      setTimeout(function () { button.textContent = restore; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(finish, function () { window.prompt("请复制：", text); });
    } else {
      window.prompt("请复制：", text);
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button.getAttribute("data-copy"), button, "已复制"); });
  });

  // Share: the Web Share API where the phone has it, else copy the page address.
  document.querySelectorAll("[data-share]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = window.location.href.split("#")[0];
      if (navigator.share) {
        navigator.share({ title: document.title, url: url }).catch(function () {});
      } else {
        copy(url, button, "链接已复制");
      }
    });
  });
})();
