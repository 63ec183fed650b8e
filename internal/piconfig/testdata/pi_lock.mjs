// pi_lock.mjs takes or tests a lock with proper-lockfile, the library pi
// locks auth.json and settings.json with.
//
// usage: node pi_lock.mjs <node_modules dir> <file> hold|try
//   hold: lock, print "locked", release when stdin closes
//   try:  print "acquired" or the error code (ELOCKED) of one attempt
import { createRequire } from "node:module";
import { join } from "node:path";

const [modules, file, mode] = process.argv.slice(2);
const lockfile = createRequire(join(modules, "x.js"))("proper-lockfile");
if (mode === "hold") {
	const release = lockfile.lockSync(file, { realpath: false });
	process.stdout.write("locked\n");
	process.stdin.resume();
	process.stdin.on("end", () => {
		release();
		process.exit(0);
	});
} else {
	try {
		lockfile.lockSync(file, { realpath: false })();
		process.stdout.write("acquired");
	} catch (err) {
		process.stdout.write(String(err.code));
	}
}
