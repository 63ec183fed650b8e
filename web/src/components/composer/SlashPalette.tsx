// The `/` palette: built-in commands and the project's prompt templates,
// filtered by what follows the slash. ↑/↓ move, Enter or Tab pick, Esc closes.

export interface SlashCommand {
  name: string;
  description: string;
  hint?: string;
  /** Built-ins run in the browser; templates are inserted and expanded by the server. */
  builtin: boolean;
}

export const BUILTINS: SlashCommand[] = [
  { name: "compact", description: "Summarise the conversation to free context", hint: "[instructions]", builtin: true },
  { name: "abort", description: "Stop the agent", builtin: true },
];

/** slashQuery is the command being typed ("/com" → "com"), or null when the palette should be shut. */
export function slashQuery(text: string): string | null {
  const m = /^\/([\w:.-]*)$/.exec(text);
  return m ? m[1].toLowerCase() : null;
}

export function matchCommands(all: SlashCommand[], q: string): SlashCommand[] {
  return all.filter((c) => c.name.toLowerCase().startsWith(q)).concat(all.filter((c) => !c.name.toLowerCase().startsWith(q) && c.name.toLowerCase().includes(q)));
}

/** parseBuiltin recognises a built-in command line ("/compact keep the API notes"). */
export function parseBuiltin(text: string): { name: string; args: string } | null {
  const m = /^\/(\w+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m || !BUILTINS.some((b) => b.name === m[1])) return null;
  return { name: m[1], args: (m[2] ?? "").trim() };
}

interface Props {
  items: SlashCommand[];
  active: number;
  onPick: (c: SlashCommand) => void;
}

export function SlashPalette({ items, active, onPick }: Props) {
  if (items.length === 0) return null;
  return (
    <ul class="slash-palette popover-list" role="listbox" aria-label="Commands" id="slash-list">
      {items.map((c, i) => (
        <li
          key={c.name}
          id={`slash-${i}`}
          role="option"
          aria-selected={i === active}
          class={i === active ? "active" : ""}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => onPick(c)}
        >
          <span>
            /{c.name} {c.hint && <span class="muted">{c.hint}</span>}
          </span>
          <span class="muted">{c.builtin ? c.description : `template · ${c.description}`}</span>
        </li>
      ))}
    </ul>
  );
}
