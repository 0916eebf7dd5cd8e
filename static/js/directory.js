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

  // ``after(copied)`` learns whether the clipboard took it (else the text was offered in a prompt).
  function copy(text, button, done, after) {
    var restore = button.textContent;
    var finish = function () {
      button.textContent = done;
      setTimeout(function () { button.textContent = restore; }, 2000);
      if (after) { after(true); }
    };
    var fallback = function () {
      window.prompt("请复制：", text);
      if (after) { after(false); }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(finish, fallback);
    } else {
      fallback();
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button.getAttribute("data-copy"), button, "已复制"); });
  });

  // Share: the Web Share API where the phone has it, else copy the page address; either way the status line
  // says what happened (a button label alone is easy to miss).
  document.querySelectorAll("[data-share]").forEach(function (button) {
    var status = document.getElementById(button.getAttribute("data-share-status") || "");
    var say = function (text) { if (status) { status.textContent = text; } };
    button.hidden = false;
    button.addEventListener("click", function () {
      var url = button.getAttribute("data-share-url") || window.location.href.split("#")[0];
      if (navigator.share) {
        navigator.share({ title: document.title, url: url }).then(
          function () { say("已打开分享"); },
          function () { say(""); }
        );
      } else {
        copy(url, button, "链接已复制", function (copied) {
          say(copied ? "链接已复制，可粘贴到微信、短信中发送：" + url : "请复制本页链接：" + url);
        });
      }
    });
  });
})();
