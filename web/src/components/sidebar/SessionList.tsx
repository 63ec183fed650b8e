import { useSignal } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import { useApp } from "../../app/context";
import type { SessionSummary } from "../../api/types";
import { sessionLabel } from "../../stores/sessions";
import { relativeTime } from "../common/time";
import { InlineRename } from "./InlineRename";

/** SessionList shows a project's sessions, newest first, each with its live mark. */
export function SessionList({ projectId }: { projectId: string }) {
  const { sessions } = useApp();
  const list = sessions.byProject.value[projectId];

  useEffect(() => {
    if (!list) void sessions.load(projectId);
  }, [projectId]);

  if (!list) return <p class="session-empty">{sessions.loading.value[projectId] ? "Loading…" : ""}</p>;
  if (list.length === 0) return <p class="session-empty">No sessions yet.</p>;
  return (
    <ul class="session-list" role="list">
      {list.map((s) => (
        <SessionRow key={s.sessionId} session={s} />
      ))}
    </ul>
  );
}

function SessionRow({ session }: { session: SessionSummary }) {
  const { ui, sessions } = useApp();
  const renaming = useSignal(false);
  const armed = useSignal(false);
  const disarm = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const active = ui.sessionId.value === session.sessionId;
  const streaming = sessions.streaming.value.has(session.sessionId);
  const label = sessionLabel(session);

  useEffect(() => () => clearTimeout(disarm.current), []);

  async function onDelete() {
    if (!armed.value) {
      armed.value = true;
      disarm.current = setTimeout(() => (armed.value = false), 3000);
      return;
    }
    clearTimeout(disarm.current);
    armed.value = false;
    try {
      await sessions.remove(session.sessionId);
      if (ui.sessionId.value === session.sessionId) ui.openSession(session.projectId, null);
    } catch (e) {
      ui.toast((e as Error).message);
    }
  }

  const status = streaming ? "streaming" : session.isLive ? "live" : "idle";
  return (
    <li class={`session${active ? " active" : ""}`}>
      <span class={`live-dot ${status}`} title={status === "idle" ? "Not loaded" : status === "live" ? "Loaded" : "Replying"} aria-hidden="true" />
      {renaming.value ? (
        <InlineRename
          value={session.name ?? ""}
          label="Session name"
          onDone={async (name) => {
            renaming.value = false;
            if (name !== null && name !== (session.name ?? "")) await sessions.rename(session.sessionId, name).catch((e: Error) => ui.toast(e.message));
          }}
        />
      ) : (
        <button
          type="button"
          class="session-name"
          aria-current={active ? "page" : undefined}
          title={`${label}\nDouble-click or F2 to rename`}
          onClick={() => ui.openSession(session.projectId, session.sessionId)}
          onDblClick={() => (renaming.value = true)}
          onKeyDown={(e) => {
            if (e.key === "F2") {
              e.preventDefault();
              renaming.value = true;
            }
          }}
        >
          <span class="name">{label}</span>
          <span class="sr-only">, {status}</span>
          <time class="when" dateTime={session.lastActivityAt}>
            {relativeTime(session.lastActivityAt)}
          </time>
        </button>
      )}
      <button
        type="button"
        class={`icon-btn${armed.value ? " armed" : ""}`}
        aria-label={armed.value ? `Confirm deleting ${label}` : `Delete ${label}`}
        title={armed.value ? "Click again to delete" : "Delete session"}
        onClick={onDelete}
        onKeyDown={(e) => e.key === "Escape" && (armed.value = false)}
        onBlur={() => (armed.value = false)}
      >
        {armed.value ? "Delete?" : "×"}
      </button>
    </li>
  );
}
