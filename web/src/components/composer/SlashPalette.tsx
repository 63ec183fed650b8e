// The `/` palette: built-in commands, the project's prompt templates and its
// skills (/skill:name), filtered by what follows the slash. ↑/↓ move, Enter or
// Tab pick, Esc closes.

export type CommandKind = "builtin" | "template" | "skill";

export interface SlashCommand {
  name: string;
  description: string;
  hint?: string;
  /** Built-ins run in the browser; templates and skills are expanded by the server. */
  kind: CommandKind;
}

export const BUILTINS: SlashCommand[] = [
  { name: "compact", description: "Summarise the conversation to free context", hint: "[instructions]", kind: "builtin" },
  { name: "clear", description: "Same as /compact", kind: "builtin" },
  { name: "abort", description: "Stop the agent", kind: "builtin" },
  { name: "tree", description: "Open the session tree", kind: "builtin" },
  { name: "settings", description: "Open settings", kind: "builtin" },
  { name: "providers", description: "Settings → Providers (API keys)", kind: "builtin" },
  { name: "skills", description: "Settings → Skills", kind: "builtin" },
  { name: "help", description: "What the composer understands", kind: "builtin" },
];

/** slashQuery is the command being typed ("/com" → "com"), or null when the palette should be shut. */
export function slashQuery(text: string): string | null {
  const m = /^\/([\w:.-]*)$/.exec(text);
  return m ? m[1].toLowerCase() : null;
}

export function matchCommands(all: SlashCommand[], q: string): SlashCommand[] {
  const name = (c: SlashCommand) => c.name.toLowerCase();
  return all.filter((c) => name(c).startsWith(q)).concat(all.filter((c) => !name(c).startsWith(q) && name(c).includes(q)));
}

/** parseCommand splits "/name args" into its parts, or null when the text is not a command line. */
export function parseCommand(text: string): { name: string; args: string } | null {
  const m = /^\/([\w:.-]+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!m) return null;
  return { name: m[1], args: (m[2] ?? "").trim() };
}

/** parseBuiltin recognises a built-in command line ("/compact keep the API notes"). */
export function parseBuiltin(text: string): { name: string; args: string } | null {
  const c = parseCommand(text);
  return c && BUILTINS.some((b) => b.name === c.name) ? c : null;
}

/**
 * unknownCommand names a `/word` the server would not expand (not a built-in,
 * template or skill), so the composer can refuse it instead of sending it as
 * text. Paths such as "/etc/hosts is broken" are not commands.
 */
export function unknownCommand(text: string, known: SlashCommand[]): string | null {
  const c = parseCommand(text);
  if (!c || text.trim().startsWith("//")) return null;
  return known.some((k) => k.name === c.name) ? null : c.name;
}

interface Props {
  items: SlashCommand[];
  active: number;
  onPick: (c: SlashCommand) => void;
}

const KIND_LABEL: Record<CommandKind, string> = { builtin: "", template: "template · ", skill: "skill · " };

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
          <span class="cmd-name">
            /{c.name} {c.hint && <span class="muted">{c.hint}</span>}
          </span>
          <span class="muted cmd-desc">
            {KIND_LABEL[c.kind]}
            {c.description}
          </span>
        </li>
      ))}
    </ul>
  );
}
