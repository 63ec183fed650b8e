import { render } from "preact";
import { AppContext } from "./app/context";
import { createAppState } from "./app/state";
import { followVisualViewport } from "./app/viewport";
import { registerServiceWorker } from "./pwa/register";
import { App } from "./components/App";
import "./styles/themes.css";
import "./styles/app.css";
import "./styles/chat.css";

const app = createAppState();
app.start();
followVisualViewport();
registerServiceWorker();

render(
  <AppContext.Provider value={app}>
    <App />
  </AppContext.Provider>,
  document.getElementById("app")!,
);
