// Registers the service worker (dist/sw.js, built by vite.config.ts). It is a
// module of the app bundle, not an inline script: the CSP allows scripts from
// 'self' only. Development builds do not register it. It also keeps the
// browser's install offer, for an "Install app" button.

import { signal } from "@preact/signals";

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: "accepted" | "dismissed" }>;
}

/** The browser's offer to install the app (Chrome, Edge, Android), while it stands. */
export const installOffer = signal<InstallPromptEvent | null>(null);

export function registerServiceWorker(): void {
  if (typeof window === "undefined") return;
  window.addEventListener("beforeinstallprompt", (e) => {
    e.preventDefault(); // offered from the app's own button instead of the mini bar
    installOffer.value = e as InstallPromptEvent;
  });
  window.addEventListener("appinstalled", () => (installOffer.value = null));
  if (!import.meta.env.PROD || !("serviceWorker" in navigator) || !window.isSecureContext) return;
  const register = () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined); // an app without offline support still works
  };
  if (document.readyState === "complete") register();
  else window.addEventListener("load", register, { once: true });
}

/** install shows the browser's install dialog; the offer can be used once. */
export async function install(): Promise<void> {
  const offer = installOffer.value;
  if (!offer) return;
  installOffer.value = null;
  await offer.prompt();
}
