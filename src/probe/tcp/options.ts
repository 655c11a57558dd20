/** What a TCP check sends after connecting, and what it expects back (both optional). */
export interface TcpOptions {
  send: string | null;
  /** Substring of the first 64 KiB the peer sends. */
  expect: string | null;
}
