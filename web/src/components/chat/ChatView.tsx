import { useApp } from "../../app/context";
import { sessionLabel } from "../../stores/sessions";
import { ChatExtras } from "../../tools/ChatExtras";
import { Composer } from "../composer/Composer";
import { ConnectionBadge } from "./ConnectionBadge";
import { Transcript } from "./Transcript";

/** ChatView is the centre: the open session's transcript and composer, or what to do first. */
export function ChatView() {
  const { ui, projects, sessions, chat } = useApp();
  const pid = ui.projectId.value;
  const sid = ui.sessionId.value;
  const project = projects.projects.value.find((p) => p.id === pid);

  if (!project) {
    return (
      <div class="chat-empty">
        <h2>Welcome</h2>
        <p>{projects.projects.value.length === 0 ? "Create a project to start: pick a folder in the workspace." : "Pick a project on the left."}</p>
      </div>
    );
  }
  if (!sid) {
    return (
      <div class="chat-empty">
        <h2>{project.name}</h2>
        <p>
          <code>{project.path}</code>
        </p>
        <button
          type="button"
          class="btn btn-primary"
          onClick={async () => {
            try {
              const s = await sessions.create(project.id);
              ui.openSession(project.id, s.sessionId);
            } catch (e) {
              ui.toast((e as Error).message);
            }
          }}
        >
          + New session
        </button>
      </div>
    );
  }
  const summary = sessions.find(sid);
  const title = chat.sessionName.value || (summary ? sessionLabel(summary) : "Session");
  return (
    <div class="chat-view">
      <div class="chat-toolbar">
        <h2 class="chat-title" title={title}>
          {title}
        </h2>
        {chat.compacting.value && <span class="pill pill-warn">compacting…</span>}
        <button type="button" class="btn btn-small" onClick={() => (ui.overlay.value = { kind: "tree" })} title="Branches of this session: move, fork, edit and resend">
          Tree
        </button>
        <ConnectionBadge />
      </div>
      {chat.readOnly.value && <p class="banner">This session is running elsewhere; it is read-only here.</p>}
      <Transcript />
      <ChatExtras />
      <Composer sessionId={sid} />
    </div>
  );
}
