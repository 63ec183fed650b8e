// pi_auth_writer.mjs stores API keys in auth.json with pi's own AuthStorage,
// for the interop test that writes the same file from Go at the same time.
// pi's synchronous lock gives up after 10 tries 20 ms apart and drops the
// write (recording an error); the script then tries again, as a user would.
//
// usage: node pi_auth_writer.mjs <pi-coding-agent dir> <auth.json> <prefix> <count>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [piDir, authPath, prefix, count] = process.argv.slice(2);
const { AuthStorage } = await import(pathToFileURL(join(piDir, "dist", "core", "auth-storage.js")).href);
const storage = AuthStorage.create(authPath);
let retries = 0;
for (let i = 0; i < Number(count); i++) {
	for (;;) {
		storage.set(`${prefix}${i}`, { type: "api_key", key: `key-${prefix}${i}` });
		if (storage.drainErrors().length === 0) break;
		retries++;
		storage.reload();
	}
}
process.stdout.write(JSON.stringify({ retries }));
