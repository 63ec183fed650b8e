// pi_auth_keys.mjs stores <count> API keys named <prefix><i> in auth.json
// through pi's own AuthStorage (and so through pi's lock), while the Go test
// stores keys through PUT /config/auth/{provider} at the same time. When pi
// loses the race for the lock it records an error and drops that write; the
// script then re-reads the file and tries again, as a user retrying would.
//
// usage: node pi_auth_keys.mjs <pi-coding-agent package dir> <auth.json> <prefix> <count>
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [pkgDir, authFile, prefix, count] = process.argv.slice(2);
const mod = await import(pathToFileURL(join(pkgDir, "dist", "core", "auth-storage.js")).href);
const auth = mod.AuthStorage.create(authFile);
let lockMisses = 0;
for (let i = 0; i < Number(count); i++) {
	const name = prefix + i;
	while (true) {
		auth.set(name, { type: "api_key", key: "key-" + name });
		if (auth.drainErrors().length === 0) break;
		lockMisses++;
		auth.reload();
	}
}
process.stdout.write(JSON.stringify({ lockMisses }));
