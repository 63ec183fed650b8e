// Hashes and verifies passwords the way the reference server does (Node's
// crypto.scrypt, N=16384 r=8 p=1, 16-byte salt, 64-byte key), so the Go
// tests can check both directions of compatibility.
//
//   node scrypt-node.mjs hash <password>            prints scrypt$N$r$p$salt$hash
//   node scrypt-node.mjs verify <stored> <password> prints true or false
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "hash") {
  const salt = randomBytes(16);
  const key = scryptSync(a, salt, 64, { N: 16384, r: 8, p: 1 });
  process.stdout.write(`scrypt$16384$8$1$${salt.toString("base64")}$${key.toString("base64")}\n`);
} else if (cmd === "verify") {
  const [tag, n, r, p, salt, hash] = a.trim().split("$");
  if (tag !== "scrypt") throw new Error("not an scrypt hash");
  const want = Buffer.from(hash, "base64");
  const got = scryptSync(b, Buffer.from(salt, "base64"), want.length, { N: +n, r: +r, p: +p });
  process.stdout.write(String(timingSafeEqual(got, want)) + "\n");
} else {
  throw new Error("usage: hash <password> | verify <stored> <password>");
}
