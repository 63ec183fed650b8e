// Wire types of the /api/v1 contract that the UI reads (spec/api-contract.md).
// Field names are exactly as the contract spells them.

export interface ErrorBody {
  error: string;
  message?: string;
}

export interface AuthColorScheme {
  pageBackground: string;
  cardBackground: string;
  border: string;
  text: string;
  mutedText: string;
  buttonBackground: string;
  buttonText: string;
  buttonHoverBackground: string;
}

export interface UiConfig {
  minimal: boolean;
  workspaceRoot: string;
  version: string;
  passwordAuthEnabled: boolean;
  ldapEnabled: boolean;
  orchestrationEnabled: boolean;
  serverTheme?: {
    enabled: boolean;
    colors: Record<string, string>;
    defaults?: Record<string, string>;
  };
  authBannerText?: string;
  authBannerHtml?: boolean;
  logoUrlMode?: "cache" | "direct";
  authLogoUrl?: string;
  appLogoDarkUrl?: string;
  appLogoLightUrl?: string;
  authColorScheme?: AuthColorScheme;
}

export interface AuthStatus {
  authEnabled: boolean;
  ldapEnabled: boolean;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  mustChangePassword: boolean;
}

export interface Project {
  id: string;
  name: string;
  path: string;
  createdAt: string;
}

export interface BrowseEntry {
  name: string;
  path: string;
  isGitRepo: boolean;
}

export interface BrowseResult {
  path: string;
  parentPath: string | null;
  entries: BrowseEntry[];
}

/** A session row from GET /sessions (disk and live merged). */
export interface SessionSummary {
  sessionId: string;
  projectId: string;
  isLive: boolean;
  workspacePath: string;
  lastActivityAt: string;
  createdAt: string;
  messageCount: number;
  firstMessage: string;
  name?: string;
  parentSessionId?: string;
  runId?: string;
  isExternalLive?: boolean;
  externalState?: string;
  path?: string;
  /** Present on LiveSummary responses (POST /sessions, GET /sessions/:id). */
  isStreaming?: boolean;
  thinkingLevel?: ThinkingLevel;
  modelProvider?: string;
  modelId?: string;
}

export type ThinkingLevel = "off" | "minimal" | "low" | "medium" | "high" | "xhigh";
export const THINKING_LEVELS: ThinkingLevel[] = ["off", "minimal", "low", "medium", "high", "xhigh"];

export interface ProviderModel {
  id: string;
  name: string;
  contextWindow: number;
  maxTokens: number;
  reasoning: boolean;
  input: string[];
  hasAuth: boolean;
  supportedThinkingLevels: ThinkingLevel[];
}

export interface ProviderInfo {
  provider: string;
  models: ProviderModel[];
}

export interface TurnUsage {
  index: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  totalTokens: number;
  cost: number;
  model: string;
  provider: string;
  timestamp: number | string;
  stopReason?: string;
}

export interface SessionContext {
  messages: AgentMessage[];
  totalInputTokens: number;
  totalOutputTokens: number;
  totalCacheReadTokens: number;
  totalCacheWriteTokens: number;
  totalTokens: number;
  totalCost: number;
  turns: TurnUsage[];
  contextUsage: { contextWindow: number; tokens?: number; percent?: number };
}

// ---- Agent messages (pi's AgentMessage union, as JSON) ----

export interface TextBlock {
  type: "text";
  text: string;
  textSignature?: string;
}
export interface ThinkingBlock {
  type: "thinking";
  thinking: string;
  thinkingSignature?: string;
  redacted?: boolean;
}
export interface ImageBlock {
  type: "image";
  data: string;
  mimeType: string;
}
export interface ToolCallBlock {
  type: "toolCall";
  id: string;
  name: string;
  arguments: Record<string, unknown>;
  /** UI-only: the raw JSON of arguments still streaming (toolcall_delta). */
  partialJson?: string;
}
export type ContentBlock = TextBlock | ThinkingBlock | ImageBlock | ToolCallBlock | { type: string; [k: string]: unknown };

export interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  totalTokens: number;
  cost: { input: number; output: number; cacheRead: number; cacheWrite: number; total: number };
}

export interface UserMessage {
  role: "user";
  content: string | ContentBlock[];
  timestamp: number;
}

export interface AssistantMessage {
  role: "assistant";
  content: ContentBlock[];
  timestamp: number;
  api?: string;
  provider?: string;
  model?: string;
  usage?: Usage;
  stopReason?: "stop" | "length" | "toolUse" | "error" | "aborted";
  errorMessage?: string;
}

export interface ToolResultMessage {
  role: "toolResult";
  toolCallId: string;
  toolName: string;
  content: ContentBlock[];
  isError: boolean;
  details?: unknown;
  timestamp: number;
}

export interface BashExecutionMessage {
  role: "bashExecution";
  command: string;
  output: string;
  exitCode?: number | null;
  cancelled?: boolean;
  truncated?: boolean;
  excludeFromContext?: boolean;
  timestamp: number;
  /** UI-only: added from the POST /exec answer, not (yet) from the server's transcript. */
  local?: boolean;
}

export interface OtherMessage {
  role: "custom" | "branchSummary" | "compactionSummary" | string;
  timestamp?: number;
  content?: string | ContentBlock[];
  summary?: string;
  tokensBefore?: number;
  customType?: string;
  display?: boolean;
  [k: string]: unknown;
}

export type AgentMessage = UserMessage | AssistantMessage | ToolResultMessage | BashExecutionMessage | OtherMessage;

/** Result payload of a tool (tool_execution_update partialResult / _end result). */
export interface ToolResult {
  content?: ContentBlock[];
  details?: unknown;
}

// ---- Session tree, fork, navigate, compactions, exec ----

/** One entry of a session file as GET /sessions/{id}/tree lists it. */
export interface TreeEntry {
  id: string;
  parentId: string | null;
  /** message, compaction, branch_summary, custom_message, model_change, thinking_level_change, label, session_info, custom, ... */
  type: string;
  timestamp: string;
  role?: string;
  preview?: string;
  label?: string;
}

export interface SessionTree {
  leafId: string | null;
  /** The active path, root first. */
  branchIds: string[];
  entries: TreeEntry[];
}

export interface NavigateResult {
  cancelled: boolean;
  aborted?: boolean;
  editorText?: string;
}

export interface Compaction {
  id: string;
  timestamp: string | number;
  summary: string;
  tokensBefore: number;
  insertBeforeIndex: number;
  archivedMessages: AgentMessage[];
}

export interface ExecResult {
  exitCode: number | null;
  output: string;
  durationMs: number;
  truncated: boolean;
  cancelled: boolean;
}

// ---- Config ----

export interface AuthPresence {
  providers: Record<string, { configured: boolean; source?: string; label?: string }>;
}

export type OverrideScope = "global" | "project";
export type ProjectOverride = "enabled" | "disabled";

export interface Diagnostic {
  type: "warning" | "error" | "collision" | string;
  message: string;
  path?: string;
}

export interface SkillInfo {
  name: string;
  description: string;
  source: "global" | "project" | "extension" | string;
  filePath: string;
  enabled: boolean;
  projectOverride?: ProjectOverride;
  effective: boolean;
  disableModelInvocation?: boolean;
}

export interface PromptInfo {
  name: string;
  description: string;
  argumentHint?: string;
  source: "global" | "project" | string;
  filePath: string;
  enabled: boolean;
  projectOverride?: ProjectOverride;
  effective: boolean;
}

export type ToolFamily = "builtin" | "mcp" | "extension";

export interface ToolInfo {
  name: string;
  shortName?: string;
  description: string;
  enabled: boolean;
  globalEnabled: boolean;
  projectOverride?: ProjectOverride;
}

export interface ToolsConfig {
  builtin: ToolInfo[];
  mcp?: Array<{ server: string; scope: string; enabled: boolean; state: string; lastError?: string; tools: ToolInfo[] }>;
  extension?: Array<{ packageSource: string; tools: ToolInfo[] }>;
}
