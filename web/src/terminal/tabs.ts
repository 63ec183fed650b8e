// Terminal tabs per project, kept in localStorage so a reload reattaches the
// same tabIds (the server keeps each PTY for PTY_IDLE_REAP_MS and replays its
// recent output).

export interface TermTab {
  id: string;
  title: string;
}

export interface TermTabs {
  tabs: TermTab[];
  active: string | null;
}

const KEY = "pi-forge/terminals/";

export function loadTabs(projectId: string, storage: Storage = localStorage): TermTabs {
  try {
    const v = JSON.parse(storage.getItem(KEY + projectId) ?? "null") as Partial<TermTabs> | null;
    const tabs = Array.isArray(v?.tabs) ? v.tabs.filter((t): t is TermTab => typeof t?.id === "string" && typeof t?.title === "string" && t.id.length <= 128) : [];
    const active = tabs.some((t) => t.id === v?.active) ? (v!.active as string) : (tabs[0]?.id ?? null);
    return { tabs, active };
  } catch {
    return { tabs: [], active: null };
  }
}

export function saveTabs(projectId: string, state: TermTabs, storage: Storage = localStorage): void {
  try {
    storage.setItem(KEY + projectId, JSON.stringify(state));
  } catch {
    // not remembered: tabs live as long as the page
  }
}

/** newTabId makes a tabId (no crypto.randomUUID: it needs a secure context, and pi-forge may be served over plain http). */
export function newTabId(): string {
  const rnd = Array.from({ length: 3 }, () => Math.floor(Math.random() * 0x100000000).toString(36)).join("");
  return `t-${Date.now().toString(36)}-${rnd}`;
}

/** nextTitle numbers tabs "Terminal 1", "Terminal 2", ... reusing the lowest free number. */
export function nextTitle(tabs: TermTab[]): string {
  const used = new Set(tabs.map((t) => /^Terminal (\d+)$/.exec(t.title)?.[1]).filter(Boolean).map(Number));
  let n = 1;
  while (used.has(n)) n++;
  return `Terminal ${n}`;
}
