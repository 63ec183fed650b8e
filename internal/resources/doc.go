// Package resources builds what a new agent session is told and may use:
// pi's system prompt (tool list, SYSTEM.md/APPEND_SYSTEM.md, AGENTS.md and
// CLAUDE.md, skills, date and cwd), skills and prompt templates discovered
// with pi's rules, and pi-forge's per-project overrides for tools, skills,
// templates and the system-prompt addendum.
//
// # Where state lives
//
// Global skill and template switches live where pi keeps them, so the pi
// CLI and pi-forge agree: the "skills" and "prompts" pattern lists of
// PI_CONFIG_DIR/settings.json. Switching one off appends "!name";
// switching it on removes the entries naming it ("!name", "+name",
// "-name") and adds "+name" only when a broader pattern would still keep it
// off. Path and glob entries are never touched. Tool switches have no pi
// equivalent and live in FORGE_DATA_DIR/tool-overrides.json as in the
// reference. Per-project choices live in FORGE_DATA_DIR in the reference's
// shapes: skills-overrides.json and prompts-overrides.json
// ({projects:{id:{enable,disable}}}), tool-overrides.json (global disabled
// lists per family plus projects), system-prompt-overrides.json
// ({projects:{id:text}}). A project's choice beats the global state; with
// none the project inherits it. Everything is read when a session is
// created; live sessions keep what they started with.
//
// # Differences from pi and from the reference
//
//   - Pattern entries also match a resource's name, so "!name" switches a
//     template off (pi matches only paths and file names, where "!review"
//     misses review.md) and a global "!name" also reaches project skills
//     (pi applies the global list to global resources only).
//   - The reference's toggle drops plain path entries from settings.json;
//     they are kept here, as pi uses them to find more skills.
//   - APPEND_SYSTEM.md is honoured (the reference's loader suppressed it
//     whenever it passed its own append list) and the secret-hygiene rule
//     and the project addendum come after it, all in pi's append section.
//   - The default prompt's prose is pi-forge's own and it has no "Pi
//     documentation" block (pi-forge ships no pi docs to point at); the
//     layout, the order of sections and the skills XML are pi's.
//   - /skill:name expands only while settings.json enableSkillCommands is
//     on (pi's SDK expands regardless; the setting is meant to switch the
//     commands off).
//   - Directory entries are read in name order; pi uses the filesystem's
//     order, which matters only for which of two same-named resources in
//     one directory tree wins.
//   - pi packages (settings "packages") are not installed or read.
package resources
