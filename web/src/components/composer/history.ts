// Prompt history for ↑/↓ in the composer: per session, newest last, at most
// 100 entries in localStorage, merged with the user's messages in the transcript.

const MAX = 100;
const key = (sid: string) => `pi-forge/history/${sid}`;

export function loadHistory(sid: string, fromTranscript: string[], storage: Storage = localStorage): string[] {
  let saved: string[] = [];
  try {
    const raw = JSON.parse(storage.getItem(key(sid)) ?? "[]");
    if (Array.isArray(raw)) saved = raw.filter((x) => typeof x === "string");
  } catch {
    // unreadable: start afresh
  }
  const out: string[] = [];
  for (const t of [...fromTranscript, ...saved]) {
    const s = t.trim();
    if (!s) continue;
    const at = out.indexOf(s);
    if (at >= 0) out.splice(at, 1);
    out.push(s);
  }
  return out.slice(-MAX);
}

export function pushHistory(sid: string, text: string, storage: Storage = localStorage): void {
  const list = loadHistory(sid, [], storage).filter((t) => t !== text.trim());
  list.push(text.trim());
  try {
    storage.setItem(key(sid), JSON.stringify(list.slice(-MAX)));
  } catch {
    // storage full: history is a convenience
  }
}

/**
 * HistoryCursor walks the history: up goes older, down goes newer and finally
 * back to the draft the user was typing before they started walking.
 */
export class HistoryCursor {
  private index: number;
  private draft = "";
  constructor(private readonly entries: string[]) {
    this.index = entries.length;
  }
  get browsing(): boolean {
    return this.index < this.entries.length;
  }
  up(current: string): string | null {
    if (this.index === 0 || this.entries.length === 0) return null;
    if (!this.browsing) this.draft = current;
    this.index--;
    return this.entries[this.index];
  }
  down(): string | null {
    if (!this.browsing) return null;
    this.index++;
    return this.browsing ? this.entries[this.index] : this.draft;
  }
}
