/**
 * A fresh Idempotency-Key for one confirmed action. `crypto.randomUUID` exists only in secure contexts and Grafana
 * is often served over plain HTTP inside a network, so the key is built from `getRandomValues`, which always exists.
 */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return `dlq-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}
