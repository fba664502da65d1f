/**
 * MSAL checks an authority host it does not know by asking login.microsoftonline.com (instance discovery), which fails
 * offline and refuses a loopback host anyway. `disableInstanceDiscovery` is `@azure/identity`'s switch for that; it is
 * set only for a loopback host (the sandbox's Entra ID stand-in), so a real authority is still checked.
 */
export function authorityOptions(authorityHost: string | undefined): { authorityHost?: string; disableInstanceDiscovery?: boolean } {
  if (!authorityHost) return {};
  return { authorityHost, ...(isLoopbackAuthority(authorityHost) ? { disableInstanceDiscovery: true } : {}) };
}

export function isLoopbackAuthority(authorityHost: string | undefined): boolean {
  if (!authorityHost) return false;
  try {
    const host = new URL(authorityHost).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}
