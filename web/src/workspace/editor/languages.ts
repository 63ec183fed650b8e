// Syntax by file name: each language pack is its own lazy chunk, loaded the
// first time a file of that kind opens.

import type { Extension } from "@codemirror/state";
import { StreamLanguage, type StreamParser } from "@codemirror/language";

export interface LanguageInfo {
  /** Shown in the status bar. */
  name: string;
  load: () => Promise<Extension>;
}

const legacy = (p: Promise<StreamParser<unknown>>) => p.then((parser) => StreamLanguage.define(parser) as Extension);

const L = {
  javascript: { name: "JavaScript", load: () => import("@codemirror/lang-javascript").then((m) => m.javascript({ jsx: true })) },
  typescript: { name: "TypeScript", load: () => import("@codemirror/lang-javascript").then((m) => m.javascript({ typescript: true, jsx: true })) },
  python: { name: "Python", load: () => import("@codemirror/lang-python").then((m) => m.python()) },
  json: { name: "JSON", load: () => import("@codemirror/lang-json").then((m) => m.json()) },
  markdown: { name: "Markdown", load: () => import("@codemirror/lang-markdown").then((m) => m.markdown()) },
  html: { name: "HTML", load: () => import("@codemirror/lang-html").then((m) => m.html()) },
  css: { name: "CSS", load: () => import("@codemirror/lang-css").then((m) => m.css()) },
  yaml: { name: "YAML", load: () => import("@codemirror/lang-yaml").then((m) => m.yaml()) },
  rust: { name: "Rust", load: () => import("@codemirror/lang-rust").then((m) => m.rust()) },
  cpp: { name: "C/C++", load: () => import("@codemirror/lang-cpp").then((m) => m.cpp()) },
  java: { name: "Java", load: () => import("@codemirror/lang-java").then((m) => m.java()) },
  go: { name: "Go", load: () => import("@codemirror/lang-go").then((m) => m.go()) },
  sql: { name: "SQL", load: () => import("@codemirror/lang-sql").then((m) => m.sql()) },
  xml: { name: "XML", load: () => import("@codemirror/lang-xml").then((m) => m.xml()) },
  shell: { name: "Shell", load: () => legacy(import("@codemirror/legacy-modes/mode/shell").then((m) => m.shell)) },
  toml: { name: "TOML", load: () => legacy(import("@codemirror/legacy-modes/mode/toml").then((m) => m.toml)) },
  dockerfile: { name: "Dockerfile", load: () => legacy(import("@codemirror/legacy-modes/mode/dockerfile").then((m) => m.dockerFile)) },
  ruby: { name: "Ruby", load: () => legacy(import("@codemirror/legacy-modes/mode/ruby").then((m) => m.ruby)) },
  lua: { name: "Lua", load: () => legacy(import("@codemirror/legacy-modes/mode/lua").then((m) => m.lua)) },
  swift: { name: "Swift", load: () => legacy(import("@codemirror/legacy-modes/mode/swift").then((m) => m.swift)) },
  kotlin: { name: "Kotlin", load: () => legacy(import("@codemirror/legacy-modes/mode/clike").then((m) => m.kotlin)) },
  scala: { name: "Scala", load: () => legacy(import("@codemirror/legacy-modes/mode/clike").then((m) => m.scala)) },
  csharp: { name: "C#", load: () => legacy(import("@codemirror/legacy-modes/mode/clike").then((m) => m.csharp)) },
  haskell: { name: "Haskell", load: () => legacy(import("@codemirror/legacy-modes/mode/haskell").then((m) => m.haskell)) },
  perl: { name: "Perl", load: () => legacy(import("@codemirror/legacy-modes/mode/perl").then((m) => m.perl)) },
  r: { name: "R", load: () => legacy(import("@codemirror/legacy-modes/mode/r").then((m) => m.r)) },
  powershell: { name: "PowerShell", load: () => legacy(import("@codemirror/legacy-modes/mode/powershell").then((m) => m.powerShell)) },
  diff: { name: "Diff", load: () => legacy(import("@codemirror/legacy-modes/mode/diff").then((m) => m.diff)) },
  properties: { name: "Properties", load: () => legacy(import("@codemirror/legacy-modes/mode/properties").then((m) => m.properties)) },
  protobuf: { name: "Protobuf", load: () => legacy(import("@codemirror/legacy-modes/mode/protobuf").then((m) => m.protobuf)) },
  nginx: { name: "Nginx", load: () => legacy(import("@codemirror/legacy-modes/mode/nginx").then((m) => m.nginx)) },
  cmake: { name: "CMake", load: () => legacy(import("@codemirror/legacy-modes/mode/cmake").then((m) => m.cmake)) },
} satisfies Record<string, LanguageInfo>;

const BY_EXT: Record<string, keyof typeof L> = {
  js: "javascript", mjs: "javascript", cjs: "javascript", jsx: "javascript",
  ts: "typescript", mts: "typescript", cts: "typescript", tsx: "typescript",
  py: "python", pyi: "python",
  json: "json", jsonc: "json", json5: "json", jsonl: "json",
  md: "markdown", markdown: "markdown", mdx: "markdown",
  html: "html", htm: "html", vue: "html", svelte: "html",
  css: "css", scss: "css", less: "css",
  yaml: "yaml", yml: "yaml",
  rs: "rust",
  c: "cpp", h: "cpp", cc: "cpp", cpp: "cpp", cxx: "cpp", hpp: "cpp", hh: "cpp",
  java: "java",
  go: "go",
  sql: "sql",
  xml: "xml", svg: "xml", xsd: "xml", plist: "xml",
  sh: "shell", bash: "shell", zsh: "shell", ksh: "shell",
  toml: "toml",
  rb: "ruby",
  lua: "lua",
  swift: "swift",
  kt: "kotlin", kts: "kotlin",
  scala: "scala", sc: "scala",
  cs: "csharp",
  hs: "haskell",
  pl: "perl", pm: "perl",
  r: "r",
  ps1: "powershell", psm1: "powershell",
  diff: "diff", patch: "diff",
  properties: "properties", ini: "properties", cfg: "properties", conf: "properties", env: "properties",
  proto: "protobuf",
  cmake: "cmake",
};

const BY_NAME: Record<string, keyof typeof L> = {
  dockerfile: "dockerfile",
  containerfile: "dockerfile",
  makefile: "shell",
  "cmakelists.txt": "cmake",
  ".bashrc": "shell",
  ".zshrc": "shell",
  ".profile": "shell",
  ".env": "properties",
  ".gitignore": "properties",
  "nginx.conf": "nginx",
  "go.mod": "go",
};

/** languageFor picks the language of a file by its name, or null for plain text. */
export function languageFor(path: string): LanguageInfo | null {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const byName = BY_NAME[name] ?? (name.startsWith("dockerfile.") ? "dockerfile" : name.startsWith(".env.") ? "properties" : undefined);
  if (byName) return L[byName];
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 ? name.slice(dot + 1) : "";
  const key = BY_EXT[ext];
  return key ? L[key] : null;
}

/** extensionOf is the key the wrap setting is remembered under. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1) : name;
}
