// MCP routes (api-contract §1.12) over the one HTTP client. Header and env
// values come back as REDACTED; sending REDACTED back keeps the stored value.

import type { Api } from "../api/client";

export const REDACTED = "***REDACTED***";

export type McpState = "idle" | "connecting" | "connected" | "error" | "disabled" | "trust_required";
export type McpTransport = "auto" | "streamable-http" | "sse";

export interface McpTruncation {
  enabled: boolean;
  maxChars: number;
}

/** GET /mcp/settings: the master switch, enabled global servers and how many are connected. */
export interface McpOverview {
  enabled: boolean;
  connected: number;
  total: number;
  truncation: McpTruncation;
}

/** One server of mcp.json: a url (remote) or a command (stdio), never both. */
export interface McpServerConfig {
  enabled?: boolean;
  url?: string;
  transport?: McpTransport;
  headers?: Record<string, string>;
  ignoreCertificateErrors?: boolean;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
}

export interface McpStatus {
  scope: "global" | "project";
  projectId?: string;
  name: string;
  kind: "remote" | "stdio";
  url?: string;
  command?: string;
  args?: string[];
  enabled: boolean;
  state: McpState;
  toolCount: number;
  lastError?: string;
  transport?: string;
}

export interface McpServerList {
  servers: Record<string, McpServerConfig>;
  status: McpStatus[];
  stdioTrust?: { trusted: boolean };
}

export function mcpApi(api: Api) {
  const enc = encodeURIComponent;
  const q = (projectId?: string | null) => ({ query: { projectId: projectId ?? undefined } });
  return {
    overview: () => api.request<McpOverview>("GET", "/mcp/settings"),
    saveSettings: (body: { enabled?: boolean; truncation?: Partial<McpTruncation> }) => api.request<McpOverview>("PUT", "/mcp/settings", { body }),
    servers: (projectId?: string | null) => api.request<McpServerList>("GET", "/mcp/servers", q(projectId)),
    putServer: (name: string, cfg: McpServerConfig) => api.request<{ ok: boolean }>("PUT", `/mcp/servers/${enc(name)}`, { body: cfg }),
    deleteServer: (name: string) => api.request<{ removed: boolean }>("DELETE", `/mcp/servers/${enc(name)}`),
    probe: (name: string, projectId?: string | null) => api.request<{ status: McpStatus }>("POST", `/mcp/servers/${enc(name)}/probe`, q(projectId)),
    trust: (projectId: string) => api.request<{ trusted: boolean; status: McpStatus[] }>("POST", `/mcp/trust/${enc(projectId)}`),
    revoke: (projectId: string) => api.request<{ trusted: boolean }>("DELETE", `/mcp/trust/${enc(projectId)}`),
  };
}

export type McpApi = ReturnType<typeof mcpApi>;

/** MCP_CHANGED is raised on window after the MCP settings change, so the header badge refreshes at once. */
export const MCP_CHANGED = "pi-forge:mcp-changed";
