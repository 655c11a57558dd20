/** How a TLS connection is verified (tls:// checks). */
export interface TlsOptions {
  /** Accept any certificate (still reported); verification is on by default. */
  skipVerify: boolean;
  /** PEM of extra certificate authorities to trust besides Node's bundled roots, for private CAs. */
  caCertificate: string | null;
}
