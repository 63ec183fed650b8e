// Runs one fixture through pi-ai's streamSimple against the fake LLM server
// and prints {events, message} as JSON, so interop tests can compare pi's
// request and result with ours.
//
// usage: node piref.mjs <path to pi-ai dist/index.js> <fake root URL> < fixture.json
import { readFileSync } from "node:fs";

const [piAI, root] = process.argv.slice(2);
const { streamSimple } = await import(piAI);
const fixture = JSON.parse(readFileSync(0, "utf8"));
const target = new URL(root);

// Send every request to the fake, whatever host the model names, as the Go
// side's RedirectClient does.
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
	const req = input instanceof Request ? input : new Request(input, init);
	const url = new URL(req.url);
	url.protocol = target.protocol;
	url.host = target.host;
	return realFetch(new Request(url, req), input instanceof Request ? init : undefined);
};

const stream = streamSimple(fixture.model, fixture.context, { ...fixture.options, maxRetries: 0 });
const events = [];
for await (const e of stream) {
	events.push(e.contentIndex === undefined ? e.type : `${e.type}:${e.contentIndex}`);
}
const message = await stream.result();
process.stdout.write(JSON.stringify({ events, message }));
