// What the MCP tab and badge decide without the DOM: the badge's tone, the
// add/edit form and the config it sends, and which project servers wait
// for trust. Secret values never come back from the server; a row whose
// value is still REDACTED keeps the stored value when saved.

import { REDACTED, type McpOverview, type McpServerConfig, type McpState, type McpStatus, type McpTransport } from "./api";

export type BadgeTone = "off" | "all" | "some" | "none";

/** badgeTone colours the header badge: neutral when MCP is off, else by how many servers are connected. */
export function badgeTone(o: McpOverview): BadgeTone {
  if (!o.enabled) return "off";
  if (o.total > 0 && o.connected >= o.total) return "all";
  if (o.connected > 0) return "some";
  return "none";
}

/** badgeVisible: the badge shows only when servers exist, and never under MINIMAL_UI. */
export function badgeVisible(o: McpOverview | null, minimal: boolean): boolean {
  return !minimal && !!o && o.total > 0;
}

export function badgeLabel(o: McpOverview): string {
  return `MCP ${o.connected}/${o.total}`;
}

export function badgeTitle(o: McpOverview): string {
  if (!o.enabled) return "MCP tools are switched off for new sessions";
  return `${o.connected} of ${o.total} MCP servers connected`;
}

/** stateTone maps a server state to a dot colour class. */
export function stateTone(s: McpState): "ok" | "warn" | "error" | "idle" {
  switch (s) {
    case "connected":
      return "ok";
    case "connecting":
    case "trust_required":
      return "warn";
    case "error":
      return "error";
    default:
      return "idle";
  }
}

export const STATE_LABEL: Record<McpState, string> = {
  idle: "not connected yet",
  connecting: "connecting",
  connected: "connected",
  error: "error",
  disabled: "disabled",
  trust_required: "needs trust",
};

/** One header or env row. kept: the value is stored on the server and was not retyped. */
export interface KeyValue {
  key: string;
  value: string;
  kept: boolean;
}

export interface ServerForm {
  name: string;
  kind: "remote" | "stdio";
  enabled: boolean;
  url: string;
  transport: McpTransport;
  headers: KeyValue[];
  ignoreCertificateErrors: boolean;
  command: string;
  /** One argument per line. */
  args: string;
  env: KeyValue[];
  cwd: string;
}

export function emptyForm(): ServerForm {
  return {
    name: "",
    kind: "remote",
    enabled: true,
    url: "",
    transport: "auto",
    headers: [],
    ignoreCertificateErrors: false,
    command: "",
    args: "",
    env: [],
    cwd: "",
  };
}

function rows(m: Record<string, string> | undefined): KeyValue[] {
  return Object.entries(m ?? {}).map(([key, value]) => (value === REDACTED ? { key, value: "", kept: true } : { key, value, kept: false }));
}

/** formFromConfig fills the form from a (redacted) stored config. */
export function formFromConfig(name: string, c: McpServerConfig): ServerForm {
  return {
    ...emptyForm(),
    name,
    kind: c.command ? "stdio" : "remote",
    enabled: c.enabled !== false,
    url: c.url ?? "",
    transport: c.transport ?? "auto",
    headers: rows(c.headers),
    ignoreCertificateErrors: !!c.ignoreCertificateErrors,
    command: c.command ?? "",
    args: (c.args ?? []).join("\n"),
    env: rows(c.env),
    cwd: c.cwd ?? "",
  };
}

function toMap(kv: KeyValue[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const r of kv) {
    const key = r.key.trim();
    if (!key) continue;
    // An untouched stored value goes back as the sentinel: the server keeps it.
    out[key] = r.kept && r.value === "" ? REDACTED : r.value;
  }
  return Object.keys(out).length ? out : undefined;
}

export type FormResult = { ok: true; name: string; config: McpServerConfig } | { ok: false; error: string };

/** configFromForm checks the form and builds the body of PUT /mcp/servers/{name}. */
export function configFromForm(f: ServerForm): FormResult {
  const name = f.name.trim();
  if (!name) return { ok: false, error: "Give the server a name." };
  if ([...name].length > 64) return { ok: false, error: "The name is longer than 64 characters." };
  if (name.includes("/")) return { ok: false, error: "The name cannot contain /." };
  const dup = (kv: KeyValue[]) => {
    const keys = kv.map((r) => r.key.trim()).filter(Boolean);
    return keys.find((k, i) => keys.indexOf(k) !== i);
  };
  if (f.kind === "remote") {
    const url = f.url.trim();
    if (!/^https?:\/\/[^/\s]+/i.test(url)) return { ok: false, error: "The URL must start with http:// or https://." };
    const d = dup(f.headers);
    if (d) return { ok: false, error: `The header ${d} is listed twice.` };
    const config: McpServerConfig = { enabled: f.enabled, url, transport: f.transport };
    const headers = toMap(f.headers);
    if (headers) config.headers = headers;
    if (f.ignoreCertificateErrors) config.ignoreCertificateErrors = true;
    return { ok: true, name, config };
  }
  const command = f.command.trim();
  if (!command) return { ok: false, error: "Give the command to run." };
  const d = dup(f.env);
  if (d) return { ok: false, error: `The variable ${d} is listed twice.` };
  const config: McpServerConfig = { enabled: f.enabled, command };
  const args = f.args
    .split("\n")
    .map((a) => a.trim())
    .filter(Boolean);
  if (args.length) config.args = args;
  const env = toMap(f.env);
  if (env) config.env = env;
  if (f.cwd.trim()) config.cwd = f.cwd.trim();
  return { ok: true, name, config };
}

/** waitingForTrust lists the project's stdio servers that will not start until the project is trusted. */
export function waitingForTrust(status: McpStatus[]): McpStatus[] {
  return status.filter((s) => s.scope === "project" && s.state === "trust_required");
}

/** projectStdio lists the project's stdio servers (what trust is about). */
export function projectStdio(status: McpStatus[]): McpStatus[] {
  return status.filter((s) => s.scope === "project" && s.kind === "stdio");
}

/** commandLine shows a stdio server's command with its arguments. */
export function commandLine(s: Pick<McpStatus, "command" | "args">): string {
  return [s.command ?? "", ...(s.args ?? []).map((a) => (/[\s"']/.test(a) ? JSON.stringify(a) : a))].join(" ").trim();
}
