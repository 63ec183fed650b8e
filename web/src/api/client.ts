// The one HTTP client: every /api/v1 call goes through here. It adds the bearer
// token, turns error envelopes into ApiError, and reports a lost login (401) or
// a forced password change (403 must_change_password) to the auth store.

import type {
  AgentMessage,
  AuthPresence,
  AuthStatus,
  BrowseResult,
  Compaction,
  Diagnostic,
  ExecResult,
  LoginResponse,
  NavigateResult,
  OverrideScope,
  Project,
  PromptInfo,
  ProviderInfo,
  SessionContext,
  SessionSummary,
  SessionTree,
  SkillInfo,
  ThinkingLevel,
  ToolFamily,
  ToolsConfig,
  UiConfig,
} from "./types";
import type { ServerTheme } from "../theme/themes";

export const TOKEN_KEY = "pi-forge/auth-token";
export const API_BASE = "/api/v1";

/** ApiError is a failed call: the HTTP status, the contract's snake_case code and a human message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Where the bearer token lives; localStorage in the app, a plain variable in tests. */
export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export function localTokenStore(storage: Storage = localStorage): TokenStore {
  return {
    get: () => {
      try {
        return storage.getItem(TOKEN_KEY);
      } catch {
        return null;
      }
    },
    set: (t) => {
      try {
        if (t) storage.setItem(TOKEN_KEY, t);
        else storage.removeItem(TOKEN_KEY);
      } catch {
        // storage blocked: the token lives only as long as the page
      }
    },
  };
}

export interface ApiClientOptions {
  token: TokenStore;
  fetch?: typeof fetch;
  base?: string;
  /** Called when an authenticated call gets 401 (expired or revoked token). */
  onUnauthorized?: (err: ApiError) => void;
  /** Called when the server says the password must be changed first. */
  onMustChangePassword?: () => void;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
  /** Public routes never trigger the sign-out on 401 (a wrong password is a 401). */
  public?: boolean;
}

// Friendly texts for codes a person sees; anything else falls back to the server's message.
const FRIENDLY: Record<string, string> = {
  invalid_password: "Wrong password.",
  login_locked: "Too many failed attempts; sign-in is locked for a while.",
  ui_password_not_configured: "No password is configured on the server.",
  ldap_not_configured: "LDAP sign-in is not configured on the server.",
  password_unchanged: "The new password must differ from the current one.",
  path_not_allowed: "That folder is outside the workspace.",
  duplicate_path: "A project already uses that folder.",
  not_a_directory: "That path is not a folder.",
  invalid_name: "The name cannot be blank.",
  already_exists: "A folder with that name already exists.",
  invalid_directory_name: "Folder names cannot contain / or \\ or be '..'.",
  project_not_found: "That project no longer exists.",
  session_not_found: "That session no longer exists.",
  no_model_configured: "No model is configured: pick one, or set a default in Settings.",
  no_api_key: "The provider has no API key: add one in Settings → Providers.",
  network_error: "Cannot reach the server.",
  entry_not_found: "That point in the conversation no longer exists.",
  fork_failed: "The session could not be forked.",
  navigate_timeout: "Moving in the tree took too long; the server is still working on it.",
  too_many_images: "At most 4 images per message.",
  too_many_text_files: "At most 4 text files per message.",
  too_many_files: "Too many attachments.",
  attachment_too_large: "An attachment is larger than 20 MB.",
  unsupported_attachment_type: "One of the attachments is a file type the agent cannot read.",
  exec_failed: "The command could not be run.",
  addendum_too_large: "The addendum is longer than the 20,000-byte limit.",
  invalid_theme_config: "Colours must be #rrggbb.",
};

export function friendlyMessage(code: string, serverMessage?: string): string {
  if (code === "login_locked" && serverMessage) return serverMessage;
  return FRIENDLY[code] ?? (serverMessage || code.replace(/_/g, " "));
}

export type Api = ReturnType<typeof createApiClient>;

export function createApiClient(opts: ApiClientOptions) {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const base = opts.base ?? API_BASE;

  async function request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = opts.token.get();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (ro.body instanceof FormData) body = ro.body;
    else if (ro.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(ro.body);
    }
    let res: Response;
    try {
      res = await doFetch(base + path + queryString(ro.query), { method, headers, body, signal: ro.signal });
    } catch (e) {
      if ((e as Error).name === "AbortError") throw e;
      throw new ApiError(0, "network_error", friendlyMessage("network_error"));
    }
    if (res.ok) {
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const err = await toApiError(res);
    if (res.status === 401 && !ro.public) {
      opts.token.set(null);
      opts.onUnauthorized?.(err);
    } else if (res.status === 403 && err.code === "must_change_password") {
      opts.onMustChangePassword?.();
    }
    throw err;
  }

  const enc = encodeURIComponent;
  return {
    request,
    token: opts.token,
    base,

    // health, ui-config, auth
    uiConfig: () => request<UiConfig>("GET", "/ui-config", { public: true }),
    authStatus: () => request<AuthStatus>("GET", "/auth/status", { public: true }),
    login: (password: string, username?: string) =>
      request<LoginResponse>("POST", "/auth/login", { body: username ? { password, username } : { password }, public: true }),
    changePassword: (currentPassword: string, newPassword: string) =>
      request<LoginResponse>("POST", "/auth/change-password", { body: { currentPassword, newPassword }, public: true }),

    // projects
    listProjects: () => request<{ projects: Project[] }>("GET", "/projects"),
    createProject: (name: string, path: string) => request<Project>("POST", "/projects", { body: { name, path } }),
    renameProject: (id: string, name: string) => request<Project>("PATCH", `/projects/${enc(id)}`, { body: { name } }),
    deleteProject: (id: string) => request<{ cascaded: boolean }>("DELETE", `/projects/${enc(id)}`),
    reorderProjects: (ids: string[]) => request<{ projects: Project[] }>("PUT", "/projects/order", { body: { ids } }),
    browse: (path?: string) => request<BrowseResult>("GET", "/projects/browse", { query: { path } }),
    mkdir: (parentPath: string, name: string) =>
      request<{ path: string }>("POST", "/projects/browse/mkdir", { body: { parentPath, name } }),

    // sessions
    listSessions: (projectId?: string) => request<{ sessions: SessionSummary[] }>("GET", "/sessions", { query: { projectId } }),
    createSession: (projectId: string) => request<SessionSummary>("POST", "/sessions", { body: { projectId } }),
    getSession: (id: string) => request<SessionSummary>("GET", `/sessions/${enc(id)}`),
    renameSession: (id: string, name: string) => request<SessionSummary>("POST", `/sessions/${enc(id)}/name`, { body: { name } }),
    deleteSession: (id: string) => request<void>("DELETE", `/sessions/${enc(id)}`),
    context: (id: string) => request<SessionContext>("GET", `/sessions/${enc(id)}/context`),
    messages: (id: string) => request<{ messages: AgentMessage[] }>("GET", `/sessions/${enc(id)}/messages`),
    tree: (id: string) => request<SessionTree>("GET", `/sessions/${enc(id)}/tree`),
    compactions: (id: string) => request<{ compactions: Compaction[] }>("GET", `/sessions/${enc(id)}/compactions`),
    fork: (id: string, entryId: string) => request<SessionSummary>("POST", `/sessions/${enc(id)}/fork`, { body: { entryId } }),
    navigate: (id: string, entryId: string, opts: { summarize?: boolean; customInstructions?: string; label?: string } = {}) =>
      request<NavigateResult>("POST", `/sessions/${enc(id)}/navigate`, { body: { entryId, ...opts } }),
    exec: (id: string, command: string, excludeFromContext: boolean) =>
      request<ExecResult>("POST", `/sessions/${enc(id)}/exec`, { body: { command, excludeFromContext } }),

    // prompting and control
    prompt: (id: string, text: string, streamingBehavior?: "steer" | "followUp", files?: File[]) => {
      if (files && files.length > 0) {
        const form = new FormData();
        form.append("text", text);
        if (streamingBehavior) form.append("streamingBehavior", streamingBehavior);
        files.forEach((f, i) => form.append(`file${i}`, f, f.name || `pasted-${i}`));
        return request<{ accepted: boolean; sessionName?: string }>("POST", `/sessions/${enc(id)}/prompt`, { body: form });
      }
      const body = streamingBehavior ? { text, streamingBehavior } : { text };
      return request<{ accepted: boolean; sessionName?: string }>("POST", `/sessions/${enc(id)}/prompt`, { body });
    },
    abort: (id: string) => request<void>("POST", `/sessions/${enc(id)}/abort`),
    compact: (id: string, customInstructions?: string) =>
      request<{ summary: string; tokensBefore: number; tokensAfter: number }>("POST", `/sessions/${enc(id)}/compact`, {
        body: customInstructions ? { customInstructions } : {},
      }),
    setModel: (id: string, provider: string, modelId: string) =>
      request<{ provider: string; modelId: string }>("POST", `/sessions/${enc(id)}/model`, { body: { provider, modelId } }),
    setThinkingLevel: (id: string, level: ThinkingLevel) =>
      request<{ level: ThinkingLevel }>("POST", `/sessions/${enc(id)}/thinking-level`, { body: { level } }),

    // files
    completeFiles: (projectId: string, query: string, limit = 20, signal?: AbortSignal) =>
      request<{ paths: string[] }>("GET", "/files/complete", { query: { projectId, query, limit }, signal }),

    // config: providers, keys, models, settings
    providers: () => request<{ providers: ProviderInfo[] }>("GET", "/config/providers"),
    authPresence: () => request<AuthPresence>("GET", "/config/auth"),
    setApiKey: (provider: string, apiKey: string) =>
      request<{ provider: string; configured: boolean }>("PUT", `/config/auth/${enc(provider)}`, { body: { apiKey } }),
    removeApiKey: (provider: string) => request<void>("DELETE", `/config/auth/${enc(provider)}`),
    models: () => request<Record<string, unknown>>("GET", "/config/models"),
    saveModels: (doc: unknown) => request<Record<string, unknown>>("PUT", "/config/models", { body: doc }),
    settings: () => request<Record<string, unknown>>("GET", "/config/settings"),
    saveSettings: (change: Record<string, unknown>) => request<Record<string, unknown>>("PUT", "/config/settings", { body: change }),

    // config: skills, prompts, tools (global, or per project with scope "project")
    skills: (projectId: string) => request<{ skills: SkillInfo[]; diagnostics: Diagnostic[] }>("GET", "/config/skills", { query: { projectId } }),
    setSkill: (projectId: string, name: string, enabled: boolean, scope: OverrideScope) =>
      request<{ skills: SkillInfo[] }>("PUT", `/config/skills/${enc(name)}/enabled`, { query: { projectId }, body: { enabled, scope } }),
    clearSkill: (projectId: string, name: string) =>
      request<{ skills: SkillInfo[] }>("DELETE", `/config/skills/${enc(name)}/enabled`, { query: { projectId } }),
    skillOverrides: () => request<{ projects: Record<string, { enable?: string[]; disable?: string[] }> }>("GET", "/config/skills/overrides"),
    prompts: (projectId: string) => request<{ prompts: PromptInfo[]; diagnostics: Diagnostic[] }>("GET", "/config/prompts", { query: { projectId } }),
    setPrompt: (projectId: string, name: string, enabled: boolean, scope: OverrideScope) =>
      request<{ prompts: PromptInfo[] }>("PUT", `/config/prompts/${enc(name)}/enabled`, { query: { projectId }, body: { enabled, scope } }),
    clearPrompt: (projectId: string, name: string) =>
      request<{ prompts: PromptInfo[] }>("DELETE", `/config/prompts/${enc(name)}/enabled`, { query: { projectId } }),
    promptOverrides: () => request<{ projects: Record<string, { enable?: string[]; disable?: string[] }> }>("GET", "/config/prompts/overrides"),
    tools: (projectId?: string) => request<ToolsConfig>("GET", "/config/tools", { query: { projectId } }),
    setTool: (family: ToolFamily, name: string, enabled: boolean, scope: OverrideScope, projectId?: string) =>
      request<unknown>("PUT", `/config/tools/${family}/${enc(name)}/enabled`, { query: { projectId }, body: { enabled, scope } }),
    clearTool: (family: ToolFamily, name: string, projectId: string) =>
      request<unknown>("DELETE", `/config/tools/${family}/${enc(name)}/enabled`, { query: { projectId } }),
    toolOverrides: () =>
      request<{ projects: Record<string, Partial<Record<ToolFamily, { enable?: string[]; disable?: string[] }>>> }>("GET", "/config/tools/overrides"),

    // config: per-project system prompt addendum, server theme
    systemPrompt: (projectId: string) => request<{ addendum: string; maxBytes: number }>("GET", `/projects/${enc(projectId)}/system-prompt`),
    saveSystemPrompt: (projectId: string, addendum: string) =>
      request<{ addendum: string; maxBytes: number }>("PUT", `/projects/${enc(projectId)}/system-prompt`, { body: { addendum } }),
    serverTheme: () => request<ServerTheme>("GET", "/config/theme"),
    saveServerTheme: (theme: { enabled: boolean; colors: Record<string, string> }) => request<ServerTheme>("PUT", "/config/theme", { body: theme }),
    resetServerTheme: () => request<ServerTheme>("DELETE", "/config/theme"),
  };
}

function queryString(q?: RequestOptions["query"]): string {
  if (!q) return "";
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== "") p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}

async function toApiError(res: Response): Promise<ApiError> {
  let code = `http_${res.status}`;
  let message: string | undefined;
  try {
    const body = (await res.json()) as { error?: unknown; message?: unknown; statusCode?: unknown };
    // Contract errors are snake_case codes; framework errors ("Bad Request") are not.
    if (typeof body.error === "string" && /^[a-z0-9_]+$/.test(body.error)) code = body.error;
    else if (res.status === 429) code = "rate_limited";
    else if (res.status === 400) code = "invalid_request";
    if (typeof body.message === "string") message = body.message;
  } catch {
    // not JSON: keep the status code
  }
  return new ApiError(res.status, code, friendlyMessage(code, message ?? res.statusText));
}
