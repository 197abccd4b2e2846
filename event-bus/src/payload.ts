// Payloads are shown to operators as text. Redaction runs before truncation so a cut can never expose the start
// of a secret that redaction would have hidden.

const REDACTED = '[REDACTED]';

function redactValue(value: unknown, keys: Set<string>, depth: number): unknown {
  if (depth > 50 || value === null || typeof value !== 'object') {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => redactValue(v, keys, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = keys.has(k.toLowerCase()) ? REDACTED : redactValue(v, keys, depth + 1);
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface PayloadView {
  payload: string;
  payloadTruncated: boolean;
}

export function makePayloadView(redactKeys: string[], maxChars: number): (raw: string) => PayloadView {
  const keys = new Set(redactKeys.map((k) => k.toLowerCase()));
  // For payloads that are not valid JSON (already cut by a producer, say), hide `"key": "value"` pairs textually.
  const textual =
    redactKeys.length > 0
      ? new RegExp(
          `("(?:${redactKeys.map(escapeRegExp).join('|')})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`,
          'gi'
        )
      : null;
  return (raw: string) => {
    let text = raw;
    if (keys.size > 0) {
      try {
        text = JSON.stringify(redactValue(JSON.parse(raw), keys, 0));
      } catch {
        text = textual ? raw.replace(textual, `$1"${REDACTED}"`) : raw;
      }
    }
    if (text.length > maxChars) {
      return { payload: text.slice(0, maxChars), payloadTruncated: true };
    }
    return { payload: text, payloadTruncated: false };
  };
}
