// Runs fixtures through pi-ai's streamSimple, each against its own fake LLM
// server, and prints one {events, message} per fixture as a JSON array, so
// interop tests can compare pi's requests and results with ours. One Node
// process serves every fixture: loading pi-ai takes about a second.
//
// usage: node piref.mjs <path to pi-ai dist/index.js> < jobs.json
//   jobs.json: [{"root": "http://127.0.0.1:port", "fixture": {...}}, ...]
import { readFileSync } from "node:fs";

const [piAI] = process.argv.slice(2);
const { streamSimple } = await import(piAI);
const jobs = JSON.parse(readFileSync(0, "utf8"));

// Every request goes to the current job's fake, whatever host the model
// names, as the Go side's RedirectClient does.
let target = null;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
	const req = input instanceof Request ? input : new Request(input, init);
	const url = new URL(req.url);
	url.protocol = target.protocol;
	url.host = target.host;
	return realFetch(new Request(url, req), input instanceof Request ? init : undefined);
};

const results = [];
for (const { root, fixture } of jobs) {
	target = new URL(root);
	const stream = streamSimple(fixture.model, fixture.context, { ...fixture.options, maxRetries: 0 });
	const events = [];
	for await (const e of stream) {
		events.push(e.contentIndex === undefined ? e.type : `${e.type}:${e.contentIndex}`);
	}
	results.push({ events, message: await stream.result() });
}
process.stdout.write(JSON.stringify(results));
