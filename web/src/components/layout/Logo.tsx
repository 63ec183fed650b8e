/** Logo is the built-in mark: a small anvil-ish π. */
export function Logo({ size = 24 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" class="logo">
      <rect x="1" y="1" width="30" height="30" rx="7" fill="var(--accent)" />
      <path d="M8 11h16M12 11v12M20 11v9c0 2 1 3 3 3" stroke="var(--accent-text)" stroke-width="3" fill="none" stroke-linecap="round" />
    </svg>
  );
}
