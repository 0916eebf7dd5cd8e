/* Progressive enhancements; every page reads and works without JavaScript. */
(function () {
  "use strict";
  var root = document.documentElement;

  /* 长辈模式 switch. static/js/mode.js applies the saved choice before first paint; this wires the button.
     The visible label says the state in words (开/关) as well as colour; aria-pressed tells screen readers. */
  var KEY = "portal-elder";
  var toggle = document.getElementById("elder-toggle");
  if (toggle) {
    var state = toggle.querySelector(".mode-state");
    var render = function () {
      var on = root.classList.contains("elder");
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      state.textContent = on ? "：开" : "：关";
    };
    toggle.addEventListener("click", function () {
      var on = !root.classList.contains("elder");
      root.classList.toggle("elder", on);
      try {
        if (on) localStorage.setItem(KEY, "1");
        else localStorage.removeItem(KEY);
        localStorage.removeItem("portal-large-text");
      } catch (e) { /* private mode: the switch still works for this page */ }
      render();
    });
    // Another tab changed the setting.
    window.addEventListener("storage", function (event) {
      if (event.key === KEY) {
        root.classList.toggle("elder", event.newValue === "1");
        render();
      }
    });
    render();
    toggle.hidden = false;
  }

  /* Offline reading (static/js/sw.js, served at /sw.js so it covers the whole site). */
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* not a secure context: no offline copies */ });
  }

  /* 朗读: reads the entry aloud with the browser's own speech synthesis. The controls stay hidden unless the
     browser has a Chinese voice (another voice would read the characters as noise, or not at all). */
  var reader = document.getElementById("read-aloud");
  var synth = window.speechSynthesis;
  if (reader && synth && window.SpeechSynthesisUtterance) {
    var start = reader.querySelector("[data-read=start]");
    var pause = reader.querySelector("[data-read=pause]");
    var stop = reader.querySelector("[data-read=stop]");
    var voice = null;
    var reading = false;
    var paused = false;

    var show = function () {
      start.setAttribute("aria-pressed", reading ? "true" : "false");
      start.textContent = reading ? "朗读中" : "朗读";
      pause.hidden = stop.hidden = !reading;
      pause.textContent = paused ? "继续" : "暂停";
    };
    var finish = function () {
      reading = paused = false;
      show();
    };
    var chunks = function () {
      // Sentence-sized utterances: Chrome stops a single long utterance after about 15 seconds.
      var parts = [];
      var blocks = reader.closest("article").querySelectorAll("[data-read-text]");
      Array.prototype.forEach.call(blocks, function (el) {
        (el.innerText || "").split(/(?<=[。！？；\n])/).forEach(function (s) {
          s = s.trim();
          if (s) parts.push(s);
        });
      });
      return parts;
    };
    var speak = function () {
      synth.cancel();
      var parts = chunks();
      reading = parts.length > 0;
      paused = false;
      parts.forEach(function (text, i) {
        var u = new SpeechSynthesisUtterance(text);
        u.lang = "zh-CN";
        if (voice) u.voice = voice;
        if (i === parts.length - 1) u.onend = finish;
        synth.speak(u);
      });
      show();
    };
    start.addEventListener("click", function () {
      if (reading) {
        synth.cancel();
        finish();
      } else {
        speak();
      }
    });
    pause.addEventListener("click", function () {
      if (paused) synth.resume();
      else synth.pause();
      paused = !paused;
      show();
    });
    stop.addEventListener("click", function () {
      synth.cancel();
      finish();
      start.focus();
    });
    var findVoice = function () {
      var voices = synth.getVoices() || [];
      voice = null;
      for (var i = 0; i < voices.length; i++) {
        if (/^zh/i.test(voices[i].lang)) {
          voice = voices[i];
          break;
        }
      }
      reader.hidden = !voice;
    };
    findVoice();
    // Voices load asynchronously in Chrome.
    if (synth.addEventListener) synth.addEventListener("voiceschanged", findVoice);
    // Leaving the page must not leave the browser talking.
    window.addEventListener("pagehide", function () { synth.cancel(); });
  }
})();
