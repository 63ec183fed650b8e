// The highlighting chunk: highlight.js core with the languages chat code uses.
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import markdown from "highlight.js/lib/languages/markdown";
import python from "highlight.js/lib/languages/python";
import rust from "highlight.js/lib/languages/rust";
import sql from "highlight.js/lib/languages/sql";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import ini from "highlight.js/lib/languages/ini";
import makefile from "highlight.js/lib/languages/makefile";

const langs = { bash, c, cpp, css, diff, dockerfile, go, java, javascript, json, markdown, python, rust, sql, typescript, xml, yaml, ini, makefile };
for (const [name, lang] of Object.entries(langs)) hljs.registerLanguage(name, lang);
hljs.registerAliases(["sh", "shell", "zsh", "console"], { languageName: "bash" });
hljs.registerAliases(["toml"], { languageName: "ini" });
hljs.registerAliases(["html", "svg"], { languageName: "xml" });
hljs.registerAliases(["golang"], { languageName: "go" });

export function highlight(el: HTMLElement): void {
  el.setAttribute("data-hl", "1");
  const lang = /language-([\w+#.-]+)/.exec(el.className)?.[1]?.toLowerCase();
  if (!lang || !hljs.getLanguage(lang)) return;
  // highlight.js escapes the text it wraps in spans; the result holds no markup from the input.
  el.innerHTML = hljs.highlight(el.textContent ?? "", { language: lang, ignoreIllegals: true }).value;
  el.classList.add("hljs");
}
