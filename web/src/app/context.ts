import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { AppState } from "./state";

export const AppContext = createContext<AppState | null>(null);

/** useApp gives components the app's stores. */
export function useApp(): AppState {
  const app = useContext(AppContext);
  if (!app) throw new Error("useApp outside AppContext");
  return app;
}
