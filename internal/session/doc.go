// Package session stores agent sessions as pi's JSONL v3 files (a header line
// and a tree of entries linked by parentId) and answers every question asked
// of them: the active path, the tree, the LLM context, forks, discovery,
// archive, export and search.
//
// # Format
//
// Files live at <SESSION_DIR>/<projectId>/<ISO time, ":" and "." as "-">_<uuid>.jsonl
// (pi-subagents children below <that basename>/, up to four levels deep).
// New lines are written in pi's key order with JavaScript's escaping, so
// they read like JSON.stringify output. Every entry read keeps its exact
// bytes: entry types and keys this version does not know are carried
// unchanged through appends, forks and exports. Files older than v3 are
// migrated on open and rewritten atomically (temp file and rename), as pi
// rewrites them. Nothing is written until the session holds an assistant
// message; then the header and every buffered entry go out in one write.
//
// # Durability
//
// An append is one write(2) of whole lines on a descriptor opened with
// O_APPEND, and it returns after the kernel took the bytes. Page-cache data
// survives the death of the process, so after kill -9, an OOM kill or a
// panic every entry whose append returned is in the file. Only a power loss
// or kernel crash can lose writes that were not fsynced; SyncPolicy decides
// how often that happens (by default after every assistant message,
// compaction and branch summary, and when a file is created, its directory
// too).
//
// A write cut short (a crash mid-write, a full disk) can leave a torn last
// line. Reading skips it (as pi skips malformed lines) and never drops the
// lines before it. The next append first truncates the file to the end of
// the last whole line, so the new entry never glues onto the fragment; the
// fragment was never an acknowledged entry. A complete last line that only
// lacks its newline is kept and the next append starts a new line. A line
// that another writer glued onto a fragment (pi appends without checking)
// is recovered: the whole entry at its end is read.
//
// # Differences from pi, on purpose
//
//   - A file whose first line is not a session header is renamed to
//     <path>.invalid-<time> rather than truncated.
//   - Fork drops label entries like pi but re-links the entries that
//     followed them; pi leaves those orphaned, cutting the forked path.
//   - Compactions() is computed on the active path, not the whole file.
//   - The session name is the last session_info in file order; an empty one
//     clears it (current pi code; the older spec skipped empty names).
//
// A Session is safe for concurrent use, but a file must have one writer:
// pi-forge's registry owns every live Session.
package session
