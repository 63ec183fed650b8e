/* Runs before first paint (a blocking classic script: CSP allows no inline
   scripts). Sets the chosen theme and, when the operator enabled one, the
   server's custom colours cached from the last ui-config. Keep in step with
   src/theme/themes.ts (a unit test checks the names and colours). */
(function () {
  var themes = {
    dark: "#0a0a0a",
    light: "#ffffff",
    dracula: "#282a36",
    "solarized-dark": "#002b36",
    "catppuccin-mocha": "#1e1e2e",
    "high-contrast": "#000000"
  };
  var vars = {
    appBackground: "--bg",
    panelBackground: "--panel",
    userBubbleBackground: "--user-bubble",
    assistantBubbleBackground: "--assistant-bubble",
    primaryText: "--text",
    secondaryText: "--text-2",
    mutedText: "--muted",
    highlightBackground: "--highlight-bg",
    highlightText: "--highlight-text",
    selectionBackground: "--selection"
  };
  var root = document.documentElement;
  var name = "dark";
  var color;
  try {
    var saved = localStorage.getItem("pi-forge/theme");
    if (saved && Object.prototype.hasOwnProperty.call(themes, saved)) name = saved;
    var server = JSON.parse(localStorage.getItem("pi-forge/server-theme") || "null");
    if (server && server.enabled && server.colors) {
      for (var k in vars) {
        var v = server.colors[k];
        if (typeof v === "string" && /^#[0-9a-fA-F]{6}$/.test(v)) root.style.setProperty(vars[k], v);
      }
      root.setAttribute("data-server-theme", "on");
      color = server.colors.appBackground;
    }
  } catch (e) {
    /* storage blocked: keep the default theme */
  }
  root.setAttribute("data-theme", name);
  var meta = document.querySelector('meta[name="theme-color"]');
  if (meta) meta.setAttribute("content", color || themes[name]);
})();
