/* Offline reading. Served at /sw.js by faq.views.service_worker, which prepends VERSION (a hash of this file and
   the shell's static files), SHELL (their URLs, hashed names in production) and OFFLINE_URL.

   - The shell (home page, offline page, CSS, JS, icon, manifest) is cached on install.
   - Entry and office pages are network-first; each one opened is kept, the last MAX_PAGES of them.
   - Offline, a kept page opens with a 「离线浏览」 note; any other page gets the offline page listing what is kept.
   - Every cache name carries VERSION: a deploy changes this script, the new worker takes over at once and
     deletes the old caches, so nobody is left on stale CSS or JS. */
/* global VERSION, SHELL, OFFLINE_URL */
"use strict";

var SHELL_CACHE = "shell-" + VERSION;
var PAGE_CACHE = "pages-" + VERSION;
var MAX_PAGES = 30;
var KEPT = /^\/(entries|offices)\/\d+\/$/;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(SHELL_CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name !== SHELL_CACHE && name !== PAGE_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keepPage(request, response) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    // Delete first so the page moves to the end: keys() lists in insertion order, oldest first.
    return cache.delete(request.url).then(function () { return cache.put(request.url, response); })
      .then(function () { return cache.keys(); })
      .then(function (keys) {
        return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
          return cache.delete(key);
        }));
      });
  });
}

function withNote(response) {
  return response.text().then(function (html) {
    html = html.replace('id="offline-note" role="status" hidden>', 'id="offline-note" role="status">');
    return new Response(html, {headers: {"Content-Type": "text/html; charset=utf-8"}});
  });
}

function escapeHtml(text) {
  return text.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
}

function offlinePage() {
  return Promise.all([caches.match(OFFLINE_URL), caches.open(PAGE_CACHE)]).then(function (found) {
    var page = found[0];
    var cache = found[1];
    return cache.keys().then(function (keys) {
      return Promise.all(keys.reverse().map(function (key) {
        return cache.match(key).then(function (r) { return r.text(); }).then(function (html) {
          var title = (html.match(/<title>([\s\S]*?)<\/title>/) || [])[1] || key.url;
          // The title is already HTML text; unescape the few entities Django writes, then escape once.
          title = title.replace(/ - 人社问答知识库\s*$/, "").replace(/&quot;/g, '"').replace(/&#x27;/g, "'")
            .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
          return '<li class="entry-item"><a href="' + escapeHtml(new URL(key.url).pathname) + '">' +
            escapeHtml(title.trim()) + "</a></li>";
        });
      }));
    }).then(function (items) {
      return page.text().then(function (html) {
        if (items.length) html = html.replace('<ul class="entry-list" id="cached-pages">', "$&" + items.join(""));
        return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (/^\/(admin|api)\//.test(url.pathname)) return;

  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && KEPT.test(url.pathname) && !url.search) {
          var copy = response.clone();
          event.waitUntil(keepPage(request, copy));
        } else if (response.ok && url.pathname === "/" && !url.search) {
          var home = response.clone();
          event.waitUntil(caches.open(SHELL_CACHE).then(function (cache) { return cache.put("/", home); }));
        }
        return response;
      }).catch(function () {
        return caches.match(request.url, {ignoreSearch: false}).then(function (cached) {
          return cached ? withNote(cached) : offlinePage();
        });
      })
    );
    return;
  }
  // Static files: the versioned shell copy first; anything else from the network, then any copy.
  event.respondWith(
    caches.match(request).then(function (cached) {
      return cached || fetch(request);
    })
  );
});
