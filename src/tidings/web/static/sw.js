/* Tidings service worker: the app shell for offline use, and the reader's saved articles for reading
   offline. Pages come from the network first (they change); saved articles and the offline page are the
   fallback when it is gone. Static files come from the cache first. */
"use strict";

const VERSION = "tidings-1";
const SHELL = VERSION + "-shell";
const SAVED = VERSION + "-saved";
const SHELL_FILES = [
  "/offline",
  "/static/tidings.css",
  "/static/tidings.js",
  "/static/icon.svg",
  "/static/icon-192.png",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => !n.startsWith(VERSION + "-")).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function sameOrigin(url) {
  return new URL(url, self.location.origin).origin === self.location.origin;
}

/* Keep exactly these article pages (the reader's saved list) in the offline cache. */
async function keepSaved(urls) {
  const cache = await caches.open(SAVED);
  const wanted = new Set(urls.filter(sameOrigin).map((u) => new URL(u, self.location.origin).href));
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) {
      await cache.delete(request);
    }
  }
  let kept = 0;
  for (const url of wanted) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        await cache.put(url, response);
        kept += 1;
      }
    } catch (error) {
      if (await cache.match(url)) {
        kept += 1; /* offline now: the copy we had stays */
      }
    }
  }
  return kept;
}

async function keepOne(url) {
  if (!sameOrigin(url)) {
    return 0;
  }
  const cache = await caches.open(SAVED);
  const response = await fetch(url, { credentials: "same-origin" });
  if (response.ok) {
    await cache.put(url, response);
    return 1;
  }
  return 0;
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports && event.ports[0] && event.ports[0].postMessage(value);
  let work;
  if (data.type === "saved" && Array.isArray(data.urls)) {
    work = keepSaved(data.urls.filter((u) => typeof u === "string"));
  } else if (data.type === "keep" && typeof data.url === "string") {
    work = keepOne(data.url);
  } else if (data.type === "clear") {
    work = caches.delete(SAVED).then(() => 0);
  } else {
    return;
  }
  event.waitUntil(work.then((kept) => reply({ ok: true, kept: kept }), () => reply({ ok: false })));
});

async function fromNetworkFirst(request) {
  try {
    const response = await fetch(request);
    const saved = await caches.open(SAVED);
    if (response.ok && (await saved.match(request))) {
      await saved.put(request, response.clone()); /* a saved article: keep its newest version */
    }
    return response;
  } catch (error) {
    const saved = await caches.match(request, { ignoreSearch: true });
    return saved || (await caches.match("/offline")) || Response.error();
  }
}

async function fromCacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !sameOrigin(request.url)) {
    return;
  }
  const url = new URL(request.url);
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(fromCacheFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(fromNetworkFirst(request));
  }
});
