// The editor follows the app theme: every colour is one of the theme's CSS
// variables, so switching themes needs no reconfiguration.

import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { EditorView } from "@codemirror/view";
import { tags as t } from "@lezer/highlight";

export const editorTheme = EditorView.theme({
  "&": { color: "var(--text)", backgroundColor: "var(--bg)", height: "100%", fontSize: "13px" },
  ".cm-scroller": { fontFamily: "var(--mono, ui-monospace, SFMono-Regular, Menlo, Consolas, monospace)", lineHeight: "1.5" },
  ".cm-content": { caretColor: "var(--accent)" },
  ".cm-cursor, .cm-dropCursor": { borderLeftColor: "var(--accent)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection": { backgroundColor: "var(--selection) !important" },
  ".cm-gutters": { backgroundColor: "var(--panel)", color: "var(--muted)", borderRight: "1px solid var(--border)" },
  ".cm-activeLine": { backgroundColor: "color-mix(in srgb, var(--panel-2) 55%, transparent)" },
  ".cm-activeLineGutter": { backgroundColor: "var(--panel-2)", color: "var(--text-2)" },
  ".cm-foldPlaceholder": { backgroundColor: "var(--panel-2)", border: "1px solid var(--border)", color: "var(--muted)" },
  ".cm-searchMatch": { backgroundColor: "color-mix(in srgb, var(--highlight-bg) 35%, transparent)" },
  ".cm-searchMatch.cm-searchMatch-selected": { backgroundColor: "color-mix(in srgb, var(--highlight-bg) 60%, transparent)" },
  ".cm-selectionMatch": { backgroundColor: "color-mix(in srgb, var(--accent) 18%, transparent)" },
  ".cm-matchingBracket": { outline: "1px solid var(--muted)" },
  ".cm-panels": { backgroundColor: "var(--panel)", color: "var(--text)" },
  ".cm-panels.cm-panels-bottom": { borderTop: "1px solid var(--border)" },
  ".cm-tooltip": { backgroundColor: "var(--panel)", border: "1px solid var(--border)" },
  ".cm-git-gutter": { width: "4px" },
  ".cm-git-added, .cm-git-modified": { width: "3px", height: "100%", display: "block" },
  ".cm-git-added": { backgroundColor: "var(--success)" },
  ".cm-git-modified": { backgroundColor: "var(--info)" },
  ".cm-git-deleted": {
    display: "block",
    width: "0",
    height: "0",
    borderTop: "4px solid transparent",
    borderBottom: "4px solid transparent",
    borderLeft: "5px solid var(--danger)",
    marginTop: "calc(1.5em - 4px)",
  },
});

const style = HighlightStyle.define([
  { tag: [t.keyword, t.operatorKeyword, t.modifier, t.controlKeyword, t.definitionKeyword, t.moduleKeyword], color: "var(--syn-keyword)" },
  { tag: [t.string, t.special(t.string), t.regexp, t.character], color: "var(--syn-string)" },
  { tag: [t.number, t.bool, t.null, t.atom], color: "var(--syn-number)" },
  { tag: [t.comment, t.lineComment, t.blockComment, t.docComment], color: "var(--syn-comment)", fontStyle: "italic" },
  { tag: [t.function(t.variableName), t.function(t.propertyName), t.heading, t.definition(t.function(t.variableName))], color: "var(--syn-title)" },
  { tag: [t.heading], fontWeight: "bold" },
  { tag: [t.attributeName, t.propertyName, t.labelName], color: "var(--syn-attr)" },
  { tag: [t.typeName, t.className, t.namespace, t.standard(t.variableName), t.tagName], color: "var(--syn-builtin)" },
  { tag: [t.meta, t.processingInstruction], color: "var(--muted)" },
  { tag: t.link, color: "var(--accent)", textDecoration: "underline" },
  { tag: t.emphasis, fontStyle: "italic" },
  { tag: t.strong, fontWeight: "bold" },
  { tag: t.strikethrough, textDecoration: "line-through" },
  { tag: t.invalid, color: "var(--danger)" },
  { tag: [t.inserted], color: "var(--success)" },
  { tag: [t.deleted], color: "var(--danger)" },
]);

export const highlighting = syntaxHighlighting(style);
