// Chat markdown: marked (GFM tables, task lists, strikethrough, autolinks) with
// raw HTML shown as text, math kept as placeholders for the lazy KaTeX chunk,
// and DOMPurify over the result so no script, handler or javascript: URL gets
// through even if a renderer is ever wrong.

import DOMPurify from "dompurify";
import { Marked, type MarkedExtension, type Tokens } from "marked";

export interface RenderOptions {
  /** Assistant text renders $…$ and $$…$$ math; user text keeps dollars literal. */
  math?: boolean;
  /** User text keeps single newlines as line breaks, chat style. */
  breaks?: boolean;
}

const escapeMap: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapeMap[c]);
}

const mathExtension: MarkedExtension = {
  extensions: [
    {
      name: "mathBlock",
      level: "block",
      start: (src: string) => src.indexOf("$$"),
      tokenizer(src: string) {
        const m = /^\$\$([\s\S]+?)\$\$[ \t]*(?:\n|$)/.exec(src);
        if (m) return { type: "mathBlock", raw: m[0], text: m[1].trim() };
        return undefined;
      },
      renderer: (t: Tokens.Generic) => `<div class="math math-block" data-tex="${escapeHtml(t.text)}">${escapeHtml(t.text)}</div>\n`,
    },
    {
      name: "mathInline",
      level: "inline",
      start: (src: string) => src.indexOf("$"),
      tokenizer(src: string) {
        // $x$ needs non-space just inside both dollars and no digit right after
        // the closing one, so "$5 and $10" stays money.
        const m = /^\$\$([^$\n]+?)\$\$|^\$(?=\S)((?:\\\$|[^$\n])+?)(?<=\S)\$(?!\d)/.exec(src);
        if (!m) return undefined;
        return { type: "mathInline", raw: m[0], text: (m[1] ?? m[2]).trim(), display: m[1] !== undefined };
      },
      renderer: (t: Tokens.Generic) =>
        `<span class="math${t.display ? " math-display" : ""}" data-tex="${escapeHtml(t.text)}">${escapeHtml(t.text)}</span>`,
    },
  ],
};

function baseExtension(): MarkedExtension {
  return {
    gfm: true,
    renderer: {
      // No raw HTML in chat: show it as the text it is.
      html: ({ text }) => escapeHtml(text),
      code({ text, lang }) {
        const language = (lang ?? "").trim().split(/\s+/)[0].replace(/[^\w+#.-]/g, "");
        const cls = language ? ` class="language-${escapeHtml(language)}"` : "";
        const label = language ? `<span class="code-lang">${escapeHtml(language)}</span>` : "";
        return (
          `<div class="code-block">${label}<button type="button" class="copy-code" aria-label="Copy code">Copy</button>` +
          `<pre><code${cls}>${escapeHtml(text)}</code></pre></div>\n`
        );
      },
      table(token) {
        // Wide tables scroll inside their own box instead of stretching the chat.
        const html = Object.getPrototypeOf(this).table.call(this, token) as string;
        return `<div class="table-wrap">${html}</div>`;
      },
    },
  };
}

const assistantMd = new Marked(baseExtension(), mathExtension);
const userMd = new Marked(baseExtension(), { breaks: true });
const plainMd = new Marked(baseExtension());

let hooked = false;
function purify(html: string): string {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.hasAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer");
      }
      if (node.tagName === "INPUT") node.setAttribute("disabled", "");
    });
  }
  return DOMPurify.sanitize(html, {
    FORBID_TAGS: ["style", "form", "iframe", "object", "embed", "textarea", "select", "option"],
    FORBID_ATTR: ["style", "srcset", "formaction", "action"],
    ALLOW_UNKNOWN_PROTOCOLS: false,
  });
}

// Committed messages render the same text again and again as rows scroll in
// and out of the window; keep the recent results.
const cache = new Map<string, string>();
const CACHE_MAX = 800;

/** renderMarkdown turns chat text into sanitised HTML. */
export function renderMarkdown(text: string, opts: RenderOptions = {}): string {
  const key = `${opts.math ? 1 : 0}${opts.breaks ? 1 : 0}${text}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const md = opts.math ? assistantMd : opts.breaks ? userMd : plainMd;
  const html = purify(md.parse(text, { async: false }) as string);
  if (text.length < 200_000) {
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
    cache.set(key, html);
  }
  return html;
}

/** sanitizeHtml cleans operator-supplied HTML (the login banner). */
export function sanitizeHtml(html: string): string {
  return purify(html);
}

/**
 * splitStable cuts streaming text into blocks that are finished (they end at a
 * blank line outside a code fence) and the tail still growing, so each finished
 * block renders once and only the tail re-renders on every delta.
 */
export function splitStable(text: string): { stable: string[]; tail: string } {
  const stable: string[] = [];
  let start = 0;
  let fence: string | null = null;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl);
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1];
      else if (f[1][0] === fence[0] && f[1].length >= fence.length && line.trim() === f[1]) fence = null;
    } else if (fence === null && line.trim() === "" && nl > start) {
      // A blank line ends a block unless the next line continues a list or indents.
      const next = text.slice(nl + 1, nl + 8);
      if (next.length > 0 && !/^(\s|[-*+] |\d+[.)] )/.test(next)) {
        stable.push(text.slice(start, nl + 1));
        start = nl + 1;
      }
    }
    pos = nl + 1;
  }
  return { stable, tail: text.slice(start) };
}
