import { useEffect } from "preact/hooks";
import { useApp } from "../app/context";
import { applyServerTheme, type ServerTheme } from "../theme/themes";
import { ChangePasswordPage } from "./auth/ChangePasswordPage";
import { LoginPage } from "./auth/LoginPage";
import { Workbench } from "./layout/Workbench";

/** App shows the screen for where the user is: loading, signing in, or the workbench. */
export function App() {
  const { auth } = useApp();
  const cfg = auth.uiConfig.value;
  useEffect(() => {
    if (cfg) applyServerTheme(cfg.serverTheme as ServerTheme | undefined);
  }, [cfg]);

  switch (auth.phase.value) {
    case "loading":
      return <p class="boot-note">Loading…</p>;
    case "unreachable":
      return (
        <div class="boot-note" role="alert">
          <p>Cannot reach the pi-forge server. {auth.error.value}</p>
          <button type="button" class="btn" onClick={() => auth.boot()}>
            Try again
          </button>
        </div>
      );
    case "login":
      return <LoginPage />;
    case "change-password":
      return <ChangePasswordPage />;
    default:
      return <Workbench />;
  }
}
