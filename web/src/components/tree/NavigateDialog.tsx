import { useSignal } from "@preact/signals";
import type { TreeEntry } from "../../api/types";
import { Modal } from "../common/Modal";
import type { NavigateOptions } from "../../app/branching";

interface Props {
  target: TreeEntry;
  /** How many entries of the current branch the move leaves behind. */
  abandoned: number;
  streaming: boolean;
  busy: boolean;
  onConfirm: (opts: NavigateOptions) => void;
  onCancel: () => void;
}

/**
 * NavigateDialog confirms a move in the tree that stops the agent or leaves
 * part of the current branch behind. The user can label the spot (★ in the
 * tree) and have the branch they leave summarised, with instructions.
 */
export function NavigateDialog(p: Props) {
  const label = useSignal("");
  const summarize = useSignal(false);
  const instructions = useSignal("");
  const prompt = p.target.type === "message" && p.target.role === "user";
  return (
    <Modal title="Move to this point?" onClose={p.onCancel}>
      <form
        class="navigate-form"
        onSubmit={(e) => {
          e.preventDefault();
          p.onConfirm({
            label: label.value.trim() || undefined,
            summarize: summarize.value || undefined,
            customInstructions: summarize.value && instructions.value.trim() ? instructions.value.trim() : undefined,
          });
        }}
      >
        {p.streaming && <p class="banner">The agent is replying: moving stops it.</p>}
        {p.abandoned > 0 && (
          <p>
            {p.abandoned} entr{p.abandoned === 1 ? "y" : "ies"} of the current branch will be left behind. They stay in the tree and you can come back to
            them.
          </p>
        )}
        {prompt && <p class="muted">The conversation continues from before this prompt; its text goes back into the composer to edit.</p>}
        <label>
          Label (shown as ★ in the tree)
          <input value={label.value} maxLength={100} placeholder="optional, e.g. before-refactor" onInput={(e) => (label.value = e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={summarize.value} onChange={(e) => (summarize.value = e.currentTarget.checked)} />
          Summarise the branch I leave, so the agent keeps what it learned
        </label>
        {summarize.value && (
          <label>
            Instructions for the summary
            <textarea rows={3} value={instructions.value} placeholder="optional: what to keep" onInput={(e) => (instructions.value = e.currentTarget.value)} />
          </label>
        )}
        <div class="dialog-actions">
          <button type="button" class="btn" onClick={p.onCancel}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={p.busy} autofocus>
            {p.busy ? (summarize.value ? "Summarising…" : "Moving…") : "Move here"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
