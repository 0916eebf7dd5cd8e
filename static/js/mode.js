/* 长辈模式, applied before first paint: loaded without defer in <head>, ahead of the stylesheet, so the page
   never flashes in small text first. A file rather than an inline snippet keeps the CSP at script-src 'self'.
   "portal-large-text" is the key the earlier 大字模式 switch saved; those citizens keep their choice. */
try {
  if (localStorage.getItem("portal-elder") === "1" || localStorage.getItem("portal-large-text") === "1") {
    document.documentElement.classList.add("elder");
  }
} catch (e) { /* storage blocked: normal mode */ }
