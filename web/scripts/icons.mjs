// Renders the PWA icons in public/ from the logo, with the Debian Chromium
// (never a downloaded browser). Run after changing the logo; the PNGs are
// committed, so builds do not need a browser.
//
//   node scripts/icons.mjs
import { writeFileSync } from "node:fs";
import { chromium } from "playwright-core";

const out = new URL("../public/", import.meta.url).pathname;
const mark = (stroke) => `<path d="M8 11h16M12 11v12M20 11v9c0 2 1 3 3 3" stroke="${stroke}" stroke-width="3" fill="none" stroke-linecap="round"/>`;
// "any": the rounded tile on a transparent background, as icon.svg.
const anySvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect x="1" y="1" width="30" height="30" rx="7" fill="#60a5fa"/>${mark("#0a0a0a")}</svg>`;
// "maskable" and Apple: a full-bleed square; the mark stays inside the central safe zone.
const fullSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" fill="#60a5fa"/><g transform="translate(16 17) scale(0.62) translate(-16 -17)">${mark("#0a0a0a")}</g></svg>`;

const icons = [
  ["icon-192.png", 192, anySvg],
  ["icon-512.png", 512, anySvg],
  ["icon-maskable-512.png", 512, fullSvg],
  ["apple-touch-icon.png", 180, fullSvg],
];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
try {
  const page = await browser.newPage();
  for (const [name, size, svg] of icons) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace("<svg ", `<svg width="${size}" height="${size}" `)}</body></html>`);
    writeFileSync(out + name, await page.screenshot({ omitBackground: true }));
    console.log(name);
  }
} finally {
  await browser.close();
}
