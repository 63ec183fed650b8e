// The workspace routes (files, search, git, last-turn diff) over the one API
// client. Git refusals come back as 200 {success:false, error, message}
// (docs/api.md); they are thrown as ApiError like any other failure.

import { ApiError, type Api } from "../api/client";

export interface TreeNode {
  name: string;
  /** Relative to the project root, OS separator; "" for the root. */
  path: string;
  type: "file" | "directory";
  children?: TreeNode[];
  truncated?: boolean;
}

export interface ReadResult {
  path: string;
  content: string;
  size: number;
  language: string;
  binary: boolean;
}

export interface SearchMatch {
  path: string;
  line: number;
  column: number;
  length: number;
  lineSnippet: string;
}

export interface SearchResult {
  engine: "ripgrep" | "node";
  truncated: boolean;
  matches: SearchMatch[];
}

export interface SearchQuery {
  q: string;
  regex?: boolean;
  caseSensitive?: boolean;
  includeGitignored?: boolean;
  include?: string;
  exclude?: string;
  limit?: number;
}

export type GitKind = "modified" | "added" | "deleted" | "renamed" | "copied" | "untracked" | "ignored" | "conflicted" | "unknown";

export interface GitStatusFile {
  path: string;
  staged: boolean;
  unstaged: boolean;
  kind: GitKind;
  code: string;
  originalPath?: string;
}

export interface GitStatus {
  isGitRepo: boolean;
  branch?: string;
  upstream?: string;
  ahead?: number;
  behind?: number;
  files: GitStatusFile[];
}

export interface GitCommit {
  hash: string;
  message: string;
  author: string;
  date: string;
  parents: string[];
  refs: string[];
}

export interface GitBranch {
  name: string;
  current: boolean;
  remote: boolean;
}

export interface GitRemote {
  name: string;
  fetchUrl: string;
  pushUrl: string;
  insecureTls: boolean;
}

export interface GitWorktree {
  path: string;
  head?: string;
  branch?: string;
  bare: boolean;
  detached: boolean;
  current: boolean;
}

export interface HunkResult {
  ok: boolean;
  error?: string;
  message?: string;
  totalHunks: number;
}

export interface TurnDiffEntry {
  file: string;
  tool: string;
  diff: string;
  additions: number;
  deletions: number;
  isPureAddition: boolean;
}

export interface UploadedFile {
  path: string;
  size: number;
  sha256: string;
}

export type WorkspaceApi = ReturnType<typeof workspaceApi>;

export function workspaceApi(api: Api) {
  const req = api.request;
  /** git calls a git route; a 200 {success:false} becomes an ApiError. */
  async function git<T>(method: string, path: string, projectId: string, worktreePath: string | undefined, body?: Record<string, unknown>): Promise<T> {
    const res =
      method === "GET" || method === "DELETE"
        ? await req<T>(method, path, { query: { projectId, worktreePath, ...(body as Record<string, string | number | boolean | undefined>) } })
        : await req<T>(method, path, { body: { projectId, ...(worktreePath ? { worktreePath } : {}), ...body } });
    const fail = res as { success?: boolean; error?: string; message?: string } | undefined;
    if (fail && fail.success === false) throw new ApiError(200, fail.error ?? "git_failed", fail.message || "git failed");
    return res;
  }
  const enc = encodeURIComponent;

  return {
    // files
    tree: (projectId: string) => req<TreeNode>("GET", "/files/tree", { query: { projectId } }),
    read: (projectId: string, path: string) => req<ReadResult>("GET", "/files/read", { query: { projectId, path } }),
    write: (projectId: string, path: string, content: string) => req<{ path: string }>("PUT", "/files/write", { body: { projectId, path, content } }),
    mkdir: (projectId: string, parentPath: string, name: string) => req<{ path: string }>("POST", "/files/mkdir", { body: { projectId, parentPath, name } }),
    rename: (projectId: string, path: string, name: string) => req<{ path: string }>("POST", "/files/rename", { body: { projectId, path, name } }),
    move: (projectId: string, src: string, dest: string) => req<{ path: string }>("POST", "/files/move", { body: { projectId, src, dest } }),
    remove: (projectId: string, path: string, recursive: boolean) =>
      req<void>("DELETE", "/files/delete", { query: { projectId, path, recursive: recursive ? "true" : undefined } }),
    upload: (form: FormData, signal?: AbortSignal) => req<{ files: UploadedFile[] }>("POST", "/files/upload", { body: form, signal }),
    search: (projectId: string, q: SearchQuery, signal?: AbortSignal) =>
      req<SearchResult>("GET", "/files/search", {
        query: { projectId, ...q, regex: q.regex || undefined, caseSensitive: q.caseSensitive || undefined, includeGitignored: q.includeGitignored || undefined },
        signal,
      }),
    /** download fetches a file or folder (as .tar.gz) with the bearer token and hands it to the browser. */
    async download(projectId: string, path?: string): Promise<void> {
      const headers: Record<string, string> = {};
      const token = api.token.get();
      if (token) headers.Authorization = `Bearer ${token}`;
      const q = new URLSearchParams({ projectId, ...(path ? { path } : {}) });
      const res = await fetch(`${api.base}/files/download?${q}`, { headers });
      if (!res.ok) {
        let body: { error?: string; message?: string } = {};
        try {
          body = await res.json();
        } catch {
          // not JSON
        }
        throw new ApiError(res.status, body.error ?? `http_${res.status}`, body.message ?? res.statusText);
      }
      const name = filenameOf(res.headers.get("Content-Disposition")) ?? "download";
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    },

    // git
    gitStatus: (projectId: string, wt?: string) => git<GitStatus>("GET", "/git/status", projectId, wt),
    gitInit: (projectId: string) => git<{ alreadyInitialised: boolean }>("POST", "/git/init", projectId, undefined),
    gitWorktrees: (projectId: string) => git<{ isGitRepo: boolean; worktrees: GitWorktree[] }>("GET", "/git/worktrees", projectId, undefined),
    gitFileDiff: (projectId: string, wt: string | undefined, path: string, staged: boolean) =>
      git<{ isGitRepo: boolean; diff: string }>("GET", "/git/diff/file", projectId, wt, { path, staged: staged ? "1" : undefined }),
    gitLog: (projectId: string, wt: string | undefined, limit: number) => git<{ isGitRepo: boolean; commits: GitCommit[] }>("GET", "/git/log", projectId, wt, { limit }),
    gitBranches: (projectId: string, wt?: string) => git<{ isGitRepo: boolean; current?: string; branches: GitBranch[] }>("GET", "/git/branches", projectId, wt),
    gitRemotes: (projectId: string, wt?: string) => git<{ isGitRepo: boolean; remotes: GitRemote[] }>("GET", "/git/remotes", projectId, wt),
    gitStage: (projectId: string, wt: string | undefined, paths: string[]) => git<{ ok: boolean }>("POST", "/git/stage", projectId, wt, { paths }),
    gitUnstage: (projectId: string, wt: string | undefined, paths: string[]) => git<{ ok: boolean }>("POST", "/git/unstage", projectId, wt, { paths }),
    gitRevert: (projectId: string, wt: string | undefined, paths: string[]) => git<{ ok: boolean }>("POST", "/git/revert", projectId, wt, { paths }),
    gitApplyHunks: (projectId: string, wt: string | undefined, path: string, mode: "stage" | "unstage", hunkIndices: number[]) =>
      git<HunkResult>("POST", "/git/apply-hunks", projectId, wt, { path, mode, hunkIndices }),
    gitCommit: (projectId: string, wt: string | undefined, message: string) => git<{ hash: string }>("POST", "/git/commit", projectId, wt, { message }),
    gitCheckout: (projectId: string, wt: string | undefined, branch: string) => git<{ ok: boolean }>("POST", "/git/checkout", projectId, wt, { branch }),
    gitCreateBranch: (projectId: string, wt: string | undefined, name: string, checkout: boolean) =>
      git<{ ok: boolean }>("POST", "/git/branch/create", projectId, wt, { name, checkout }),
    gitDeleteBranch: (projectId: string, wt: string | undefined, name: string, force: boolean) =>
      git<{ ok: boolean }>("DELETE", `/git/branch/${enc(name)}`, projectId, wt, { force: force ? "1" : undefined }),
    gitAddRemote: (projectId: string, wt: string | undefined, name: string, url: string, insecureTls: boolean) =>
      git<{ ok: boolean }>("POST", "/git/remote/add", projectId, wt, { name, url, insecureTls }),
    gitRemoveRemote: (projectId: string, wt: string | undefined, name: string) => git<{ ok: boolean }>("DELETE", `/git/remote/${enc(name)}`, projectId, wt),
    gitFetch: (projectId: string, wt: string | undefined, remote?: string) => git<{ output: string }>("POST", "/git/fetch", projectId, wt, { remote: remote || undefined, prune: true }),
    gitPull: (projectId: string, wt: string | undefined, remote?: string, branch?: string) =>
      git<{ output: string }>("POST", "/git/pull", projectId, wt, { remote: remote || undefined, branch: branch || undefined }),
    gitPush: (projectId: string, wt: string | undefined, remote?: string, branch?: string, setUpstream?: boolean) =>
      git<{ output: string }>("POST", "/git/push", projectId, wt, { remote: remote || undefined, branch: branch || undefined, setUpstream: setUpstream || undefined }),

    // last turn
    turnDiff: (sessionId: string) => req<{ entries: TurnDiffEntry[] }>("GET", `/sessions/${enc(sessionId)}/turn-diff`),
  };
}

/** filenameOf reads the file name of a Content-Disposition header (RFC 5987 form first). */
export function filenameOf(cd: string | null): string | null {
  if (!cd) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      // fall through to the plain name
    }
  }
  return /filename="([^"]*)"/i.exec(cd)?.[1] ?? null;
}
