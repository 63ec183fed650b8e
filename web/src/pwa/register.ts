// Registers the service worker (dist/sw.js, built by vite.config.ts). It is a
// module of the app bundle, not an inline script: the CSP allows scripts from
// 'self' only. Development builds do not register it.

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || typeof navigator === "undefined" || !("serviceWorker" in navigator) || !window.isSecureContext) return;
  const register = () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined); // an app without offline support still works
  };
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}
