// Payloads are shown to operators as text. Redaction runs before truncation so a cut can never expose the start
// of a secret that redaction would have hidden.

const REDACTED = '[REDACTED]';
// Objects, arrays and JSON strings inside JSON strings all count. Real payloads are far shallower: past this depth
// a value is hidden whole rather than shown unwalked, and a whole payload nested deeper is redacted as text.
const MAX_DEPTH = 50;

/** `api_key`, `API-KEY` and `apiKey` are one key: case, `_` and `-` do not count. */
function normaliseKey(key: string): string {
  return key.replace(/[_-]/g, '').toLowerCase();
}

/**
 * Whether brackets outside strings nest deeper than `limit`. Checked before JSON.parse, which takes seconds over a
 * few megabytes of `[`; linear, and stops at the first bracket past the limit.
 */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) {
        i++;
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) {
        return true;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface PayloadView {
  payload: string;
  payloadTruncated: boolean;
}

function makeRedactor(redactKeys: string[]): ((raw: string) => string) | null {
  const keys = new Set(redactKeys.map(normaliseKey).filter((k) => k !== ''));
  if (keys.size === 0) {
    return null;
  }
  // A configured key as text, with `_` and `-` allowed anywhere in it (normaliseKey for regular expressions).
  const key = `[_-]*(?:${[...keys].map((k) => [...k].map(escapeRegExp).join('[_-]*')).join('|')})[_-]*`;
  // Every pattern below is linear: no quantified group contains another quantifier over the same characters, and
  // the unquoted ones start only where a key starts (the lookbehind), so no input makes them backtrack much.
  //
  // For payloads that are not valid JSON (cut to a preview inside Redis, or by a producer), hide `"key": value`
  // pairs. `\\*` before the key's closing quote catches JSON escaped inside a JSON string (`{\"password\":...`).
  // A string cut before its closing quote, and an object or array value (which cannot be walked once cut), are
  // hidden to the end of the text; an escaped string (`\"p1,p2\"`) up to the next unescaped quote.
  const quoted = new RegExp(
    `("${key}\\\\*"\\s*:\\s*)("(?:[^"\\\\]|\\\\[\\s\\S])*"|"[\\s\\S]*|\\\\+"[^"]*|[[{][\\s\\S]*|[^,}\\]\\s]+)`,
    'gi'
  );
  // `password=hunter2&card=...`, separated by `&`, `;`, whitespace or commas; a quoted value is hidden whole.
  const assigned = new RegExp(
    `(?<![A-Za-z0-9_-])(${key}[ \\t]*=[ \\t]*)("(?:[^"\\\\\\r\\n]|\\\\.)*"?|'[^'\\r\\n]*'?|[^&;,\\s]+)`,
    'gi'
  );
  // Header-style `Authorization: Bearer abc`: the value runs to the end of the line (or `&`, `;`, `,`), so a scheme
  // never leaves the credential after it showing.
  const labelled = new RegExp(`(?<![A-Za-z0-9_-])(${key}[ \\t]*:[ \\t]*)([^\\r\\n&;,]+)`, 'gi');

  const redactText = (text: string): string =>
    text.replace(quoted, `$1"${REDACTED}"`).replace(assigned, `$1${REDACTED}`).replace(labelled, `$1${REDACTED}`);

  const redactString = (text: string, depth: number): string => {
    if (/^\s*[[{]/.test(text)) {
      if (depth >= MAX_DEPTH || nestsDeeperThan(text, MAX_DEPTH - depth)) {
        return REDACTED;
      }
      try {
        const parsed: unknown = JSON.parse(text);
        const redacted = redactValue(parsed, depth + 1);
        // Re-serialised only when something was hidden, so a string without secrets is shown as written.
        return redacted === parsed ? text : JSON.stringify(redacted);
      } catch {
        // Not JSON after all: text.
      }
    }
    return redactText(text);
  };

  // Returns the value itself when nothing in it was hidden.
  const redactValue = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      return redactString(value, depth);
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    if (depth >= MAX_DEPTH) {
      return REDACTED;
    }
    if (Array.isArray(value)) {
      let out: unknown[] | undefined;
      value.forEach((v, i) => {
        const r = redactValue(v, depth + 1);
        if (r !== v) {
          out ??= value.slice();
          out[i] = r;
        }
      });
      return out ?? value;
    }
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const r = keys.has(normaliseKey(k)) ? REDACTED : redactValue(v, depth + 1);
      if (r !== v) {
        // No prototype, so a `__proto__` key from JSON.parse stays data.
        out ??= Object.assign(Object.create(null) as Record<string, unknown>, value);
        out[k] = r;
      }
    }
    return out ?? value;
  };

  return (raw: string) => {
    if (!nestsDeeperThan(raw, MAX_DEPTH)) {
      try {
        return JSON.stringify(redactValue(JSON.parse(raw), 0));
      } catch {
        // Not JSON: text.
      }
    }
    return redactText(raw);
  };
}

export function makePayloadView(redactKeys: string[], maxChars: number): (raw: string) => PayloadView {
  const redact = makeRedactor(redactKeys);
  return (raw: string) => {
    const text = redact ? redact(raw) : raw;
    if (text.length > maxChars) {
      return { payload: text.slice(0, maxChars), payloadTruncated: true };
    }
    return { payload: text, payloadTruncated: false };
  };
}
