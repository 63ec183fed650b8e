import type { ComponentChildren } from "preact";
import { useMemo } from "preact/hooks";
import type { UiConfig } from "../../api/types";
import { sanitizeHtml } from "../../markdown/render";
import { Logo } from "../layout/Logo";

/** AuthShell frames the sign-in screens with the operator's banner, colours and logo. */
export function AuthShell({ config, children }: { config: UiConfig | null; children: ComponentChildren }) {
  const scheme = config?.authColorScheme;
  const style = scheme
    ? ({
        "--auth-page": scheme.pageBackground,
        "--auth-card": scheme.cardBackground,
        "--auth-border": scheme.border,
        "--auth-text": scheme.text,
        "--auth-muted": scheme.mutedText,
        "--auth-button": scheme.buttonBackground,
        "--auth-button-text": scheme.buttonText,
        "--auth-button-hover": scheme.buttonHoverBackground,
      } as Record<string, string>)
    : undefined;
  return (
    <main class="auth-page" style={style}>
      <div class="auth-card">
        <div class="auth-brand">
          {config?.authLogoUrl ? <img src={config.authLogoUrl} alt="" class="auth-logo" /> : <Logo size={40} />}
          <h1>pi-forge</h1>
        </div>
        <AuthBanner config={config} />
        {children}
      </div>
    </main>
  );
}

/** AuthBanner shows the operator's notice: plain text, or HTML after sanitising. */
export function AuthBanner({ config }: { config: UiConfig | null }) {
  const text = config?.authBannerText;
  const html = useMemo(() => (text && config?.authBannerHtml ? sanitizeHtml(text) : null), [text, config?.authBannerHtml]);
  if (!text) return null;
  if (html !== null) return <div class="auth-banner" dangerouslySetInnerHTML={{ __html: html }} />;
  return <div class="auth-banner auth-banner-text">{text}</div>;
}
