// picheck.mjs answers, with pi's own code, the questions catalog_test.go
// asks about pi-forge's catalogue. It reads a JSON list of models on stdin
// and prints, per model, pi's catalogue entry for the same provider/id and
// pi's supported and clamped thinking levels.
//
// usage: node picheck.mjs <pi-ai dist dir> < models.json
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = process.argv[2];
const { getModel, getSupportedThinkingLevels, clampThinkingLevel } = await import(
	pathToFileURL(join(dist, "models.js")).href
);
const levels = ["off", "minimal", "low", "medium", "high", "xhigh", "bogus"];
const models = JSON.parse(readFileSync(0, "utf8"));
const out = models.map((m) => ({
	provider: m.provider,
	id: m.id,
	pi: getModel(m.provider, m.id) ?? null,
	supported: getSupportedThinkingLevels(m),
	clamped: Object.fromEntries(levels.map((l) => [l, clampThinkingLevel(m, l)])),
}));
process.stdout.write(JSON.stringify(out));
