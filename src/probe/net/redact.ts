/** A url as shown to people (API, messages, logs): without its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '';
    return parsed.href;
  } catch {
    return url.replace(/\/\/([^/:@\s]*):[^/@\s]*@/, '//$1@');
  }
}
