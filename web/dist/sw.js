self.__PWA__ = {"version":"5f8660416943","shell":["/apple-touch-icon.png","/assets/index-SIwsrg3V.css","/assets/index-_2V3sVrc.js","/assets/theme-boot-a6b85d4b97.js","/icon-192.png","/icon-512.png","/icon-maskable-512.png","/icon.svg","/manifest.webmanifest","/offline.html"]};
/* pi-forge service worker. The build (vite.config.ts, pwaServiceWorker)
   prepends self.__PWA__ = { version, shell } and writes this as /sw.js.

   - /api/ and /cache/ are never touched: the browser talks to the network
     directly (no respondWith), so nothing of the API is ever cached.
   - Page loads go to the network first, so a new release is picked up on the
     next load and an old index.html is never served; only when the network
     is unreachable does the offline page answer.
   - Hashed assets (/assets/*) never change: cache first, fetched once.
   - The app shell (the entry script and styles, the offline page, icons) is
     cached at install, so the first paint does not wait for the network.
   - Each build has its own cache; older caches are deleted on activation. */
/* global self, caches, fetch, Response, URL */
const { version: VERSION, shell: SHELL } = self.__PWA__;
const CACHE = `pi-forge-${VERSION}`;
const OFFLINE = "/offline.html";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("pi-forge-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/cache/")) return;
  if (req.mode === "navigate") event.respondWith(page(req));
  else if (url.pathname.startsWith("/assets/")) event.respondWith(cacheFirst(req));
  else if (SHELL.includes(url.pathname)) event.respondWith(networkFirst(req));
});

async function page(req) {
  try {
    return await fetch(req);
  } catch {
    const offline = await caches.match(OFFLINE, { cacheName: CACHE });
    return offline ?? new Response("pi-forge is offline.", { status: 503, headers: { "Content-Type": "text/plain" } });
  }
}

async function cacheFirst(req) {
  const hit = await caches.match(req, { cacheName: CACHE });
  if (hit) return hit;
  const res = await fetch(req);
  if (res.ok) {
    const copy = res.clone();
    caches.open(CACHE).then((cache) => cache.put(req, copy));
  }
  return res;
}

async function networkFirst(req) {
  try {
    const res = await fetch(req);
    if (res.ok) {
      const copy = res.clone();
      caches.open(CACHE).then((cache) => cache.put(req, copy));
    }
    return res;
  } catch {
    const hit = await caches.match(req, { cacheName: CACHE });
    if (hit) return hit;
    throw new Error("offline");
  }
}
