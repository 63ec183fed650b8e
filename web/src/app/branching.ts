// Moves in a session's tree: fork into a new session, edit and resubmit a
// prompt, navigate in place. Each one ends where the user expects to be: the
// new session open (with a draft in its composer), or the same session showing
// the new path.

import type { AgentMessage, SessionTree, TreeEntry } from "../api/types";
import { entryIdsForMessages, forkPointForEdit, indexTree } from "../tree/model";
import type { AppState } from "./state";

export interface NavigateOptions {
  summarize?: boolean;
  customInstructions?: string;
  label?: string;
}

export function createBranching(app: Pick<AppState, "api" | "ui" | "sessions" | "chat">) {
  const { api, ui, sessions, chat } = app;

  /** forkAt creates a session holding the path up to entryId, opens it and optionally drafts text there. */
  async function forkAt(sessionId: string, entryId: string, draft?: string): Promise<string | null> {
    try {
      const s = await api.fork(sessionId, entryId);
      const pid = s.projectId || ui.projectId.value;
      if (pid) void sessions.load(pid);
      if (draft) ui.draft.value = { sessionId: s.sessionId, text: draft };
      ui.overlay.value = null;
      ui.openSession(pid ?? null, s.sessionId);
      return s.sessionId;
    } catch (e) {
      ui.toast((e as Error).message);
      return null;
    }
  }

  /** editAndResubmit forks before a prompt and puts its text in the new session's composer. */
  function editAndResubmit(sessionId: string, entry: TreeEntry, text: string): Promise<string | null> {
    return forkAt(sessionId, forkPointForEdit(entry), text);
  }

  /**
   * navigate moves the leaf in place. The server sends no stream event for
   * it, so the transcript is fetched again; a prompt the user picked comes
   * back into the composer.
   */
  async function navigate(sessionId: string, entryId: string, opts: NavigateOptions = {}): Promise<boolean> {
    try {
      const r = await api.navigate(sessionId, entryId, opts);
      if (r.cancelled) {
        ui.toast(r.aborted ? "The branch summary was stopped; nothing moved." : "The move was cancelled.", "info");
        return false;
      }
      const { messages } = await api.messages(sessionId);
      if (ui.sessionId.value === sessionId) {
        chat.replaceMessages(messages);
        if (r.editorText) ui.draft.value = { sessionId, text: r.editorText };
      }
      return true;
    } catch (e) {
      ui.toast((e as Error).message);
      return false;
    }
  }

  /** entryForMessage finds the tree entry of the transcript message at index. */
  async function entryForMessage(sessionId: string, index: number, messages: AgentMessage[]): Promise<{ entry: TreeEntry; tree: SessionTree } | null> {
    const tree = await api.tree(sessionId);
    const id = entryIdsForMessages(messages, tree)[index];
    const entry = id ? indexTree(tree).byId.get(id) : undefined;
    return entry ? { entry, tree } : null;
  }

  /** forkFromMessage is "branch from here" on a transcript message; on a prompt it is edit-and-resubmit. */
  async function forkFromMessage(sessionId: string, index: number, edit: boolean): Promise<void> {
    const messages = chat.messages.value;
    let found: { entry: TreeEntry } | null = null;
    try {
      found = await entryForMessage(sessionId, index, messages);
    } catch (e) {
      ui.toast((e as Error).message);
      return;
    }
    if (!found) {
      ui.toast("This message cannot be placed in the session tree; open the tree to branch from it.");
      return;
    }
    if (edit) {
      const m = messages[index] as { content?: unknown };
      const text = typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((b: { type: string; text?: string }) => (b.type === "text" ? b.text : "")).join("") : "";
      await editAndResubmit(sessionId, found.entry, text);
    } else {
      await forkAt(sessionId, found.entry.id);
    }
  }

  return { forkAt, editAndResubmit, navigate, forkFromMessage };
}

export type Branching = ReturnType<typeof createBranching>;
