import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vitest/config";

const bootPath = fileURLToPath(new URL("./src/boot/theme-boot.js", import.meta.url));

// themeBoot ships src/boot/theme-boot.js as a blocking classic script at the top
// of <head>, so the theme is set before first paint. CSP forbids inline scripts,
// and module scripts are deferred, hence a separate hashed file.
function themeBoot(): Plugin {
  let fileName = "";
  let source = "";
  return {
    name: "pi-forge-theme-boot",
    buildStart() {
      source = readFileSync(bootPath, "utf8");
      const hash = createHash("sha256").update(source).digest("hex").slice(0, 10);
      fileName = `assets/theme-boot-${hash}.js`;
    },
    transformIndexHtml(_html, ctx) {
      const src = ctx.server ? "/src/boot/theme-boot.js" : `/${fileName}`;
      return [{ tag: "script", attrs: { src }, injectTo: "head" }];
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName, source });
    },
  };
}

// katexWoff2Only drops the woff and ttf fallbacks from KaTeX's stylesheet: every
// browser we support reads woff2, and the fallbacks would triple the fonts in dist.
function katexWoff2Only(): Plugin {
  return {
    name: "pi-forge-katex-woff2",
    enforce: "pre",
    transform(code, id) {
      if (!/katex(\.min)?\.css$/.test(id)) return null;
      return code.replace(/,\s*url\([^)]*\.(woff|ttf)\)\s*format\("(woff|truetype)"\)/g, "");
    },
  };
}

// pwaServiceWorker writes dist/sw.js from src/pwa/sw.template.js with this
// build's version (a hash of every emitted file name, which are content-hashed)
// and its app shell: the entry chunk and its CSS, the boot script, the offline
// page, the manifest and the icons.
function pwaServiceWorker(): Plugin {
  const template = fileURLToPath(new URL("./src/pwa/sw.template.js", import.meta.url));
  const publicShell = ["/offline.html", "/manifest.webmanifest", "/icon.svg", "/icon-192.png", "/icon-512.png", "/icon-maskable-512.png", "/apple-touch-icon.png"];
  return {
    name: "pi-forge-sw",
    apply: "build",
    enforce: "post",
    generateBundle(_opts, bundle) {
      const names = Object.keys(bundle).sort();
      const shell = new Set<string>(publicShell);
      for (const item of Object.values(bundle)) {
        if (item.type === "chunk" && item.isEntry) {
          shell.add(`/${item.fileName}`);
          for (const css of item.viteMetadata?.importedCss ?? []) shell.add(`/${css}`);
        } else if (item.type === "asset" && /^assets\/theme-boot-/.test(item.fileName)) shell.add(`/${item.fileName}`);
      }
      const source = readFileSync(template, "utf8");
      const version = createHash("sha256").update(names.join("\n")).update(source).digest("hex").slice(0, 12);
      const head = `self.__PWA__ = ${JSON.stringify({ version, shell: [...shell].sort() })};\n`;
      this.emitFile({ type: "asset", fileName: "sw.js", source: head + source });
    },
  };
}

export default defineConfig({
  plugins: [themeBoot(), katexWoff2Only(), pwaServiceWorker()],
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: {
      "/api": { target: process.env.PI_FORGE_DEV_API ?? "http://127.0.0.1:3000", changeOrigin: true },
      "/cache": { target: process.env.PI_FORGE_DEV_API ?? "http://127.0.0.1:3000", changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});
