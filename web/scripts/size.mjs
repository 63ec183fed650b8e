// Prints the gzipped size of what dist/index.html loads before the chat is
// interactive: its scripts, stylesheets and modulepreloads (lazy chunks are
// not counted). Exits non-zero over the budget.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 150 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const refs = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);

let total = 0;
const rows = [["index.html", gzipSync(Buffer.from(html), { level: 9 }).length]];
for (const ref of new Set(refs)) rows.push([ref, gzipSync(readFileSync(join(dist, ref)), { level: 9 }).length]);
for (const [name, size] of rows) {
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${name}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  eager total, gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("over budget");
  process.exit(1);
}
