/**
 * The API token of this tab (sessionStorage: gone when the tab closes) and whether the server wants
 * one. Any request or socket the server refuses for want of a valid token calls `refused()`, which
 * brings the token prompt back.
 */
const KEY = 'statuschecker.token';

export type AuthState = 'unknown' | 'ok' | 'needed' | 'refused';

type Listener = () => void;
const listeners = new Set<Listener>();
let state: AuthState = 'unknown';

function read(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export const auth = {
  get token(): string | null {
    return read();
  },
  get state(): AuthState {
    return state;
  },
  /** The Authorization header value, when the tab has a token. */
  header(): string | undefined {
    const token = read();
    return token ? `Bearer ${token}` : undefined;
  },
  setToken(token: string) {
    sessionStorage.setItem(KEY, token.trim());
    state = 'unknown';
    emit();
  },
  accepted() {
    if (state === 'ok') return;
    state = 'ok';
    emit();
  },
  /** The server refused this request: no token (needed) or a wrong one (refused). */
  refused() {
    // The socket and a request may both report the same refused token: the second finds it gone.
    const next: AuthState = read() || state === 'refused' ? 'refused' : 'needed';
    if (read()) sessionStorage.removeItem(KEY);
    if (state === next) return;
    state = next;
    emit();
  },
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

function emit() {
  for (const listener of [...listeners]) listener();
}
