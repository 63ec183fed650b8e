// Runs tool calls through pi's own tool implementations and prints the
// results as JSON, for the comparison test in compare_test.go.
// Usage: node pitools.mjs <pi-coding-agent dist dir> <cwd> <calls.json>
import { readFileSync } from "node:fs";

const [distDir, cwd, callsPath] = process.argv.slice(2);
const { createAllToolDefinitions } = await import(`${distDir}/core/tools/index.js`);
const tools = createAllToolDefinitions(cwd);
const calls = JSON.parse(readFileSync(callsPath, "utf8"));
const out = [];
for (const call of calls) {
	const tool = tools[call.name];
	let args = call.args;
	if (tool.prepareArguments) args = tool.prepareArguments(structuredClone(args));
	try {
		const r = await tool.execute("call", args, undefined, undefined, undefined);
		out.push({ ok: true, content: r.content, details: r.details });
	} catch (e) {
		out.push({ ok: false, error: e instanceof Error ? e.message : String(e) });
	}
}
process.stdout.write(JSON.stringify(out));
