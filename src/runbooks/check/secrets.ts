import { Finding, SourceFile } from './types';

// Rules `secrets` and `hostnames`: runbooks ship inside the plugin and are public, so no credential and no real
// host may appear in them.

const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a private key'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key id'],
  [/\bgh[pousr]_[A-Za-z0-9]{30,}\b/, 'a GitHub token'],
  [/\bxox[abprs]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bglsa_[A-Za-z0-9_]{20,}/, 'a Grafana service-account token'],
  [/\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, 'a JSON Web Token'],
  [/\bBearer\s+(?![$<{"'])[A-Za-z0-9._~+/-]{16,}/, 'a literal bearer token'],
  // A value, not prose: eight or more token characters with a digit in them, not a placeholder.
  [
    /(?<![a-z0-9])(password|passwd|secret|token|api[_-]?key)\s*[:=]\s*(?=[A-Za-z0-9+/_.=-]*\d)[A-Za-z0-9+/_.=-]{8,}/i,
    'a literal credential',
  ],
  [/:\/\/[^/\s:@$<{]+:(?![$<{])[^/\s@]{3,}@/, 'a password inside a URL'],
];

// Documentation hosts and reserved example names are fine; anything else looks like a real, possibly internal host.
const ALLOWED_HOSTS = [
  /^localhost$/,
  /^127\.0\.0\.1$/,
  /^0\.0\.0\.0$/,
  /^host\.docker\.internal$/,
  /(^|\.)example(\.(com|org|net))?$/,
  /\.(test|invalid|localhost)$/,
  /(^|\.)(grafana\.com|prometheus\.io|redis\.io|postgresql\.org|prisma\.io|nestjs\.com|fastapi\.tiangolo\.com)$/,
  /(^|\.)(kubernetes\.io|docs\.docker\.com|github\.com|datatracker\.ietf\.org|sre\.google)$/,
];
const INTERNAL_SUFFIX = /\.(internal|corp|local|lan|intra|intranet|private)$/;

export function checkSecretsAndHosts(file: SourceFile): Finding[] {
  const findings: Finding[] = [];
  file.source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    for (const [pattern, what] of SECRET_PATTERNS) {
      if (pattern.test(text)) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'secrets',
          message: `looks like ${what}; runbooks ship inside the plugin and are public`,
          fix: 'replace the value with a placeholder such as $EVENT_BUS_TOKEN or <token>, and rotate it if it was real',
        });
      }
    }
    const hosts = [
      ...[...text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^/\s:'"`)<>$,;]+)/gi)].map((match) =>
        match[1].toLowerCase().replace(/\.+$/, '')
      ),
      ...[...text.matchAll(/\b((?:[a-z0-9-]+\.)+(?:internal|corp|local|lan|intra|intranet|private))\b/gi)].map(
        (match) => match[1].toLowerCase()
      ),
    ];
    const ips = [...text.matchAll(/\b(\d{1,3}(?:\.\d{1,3}){3})\b/g)].map((match) => match[1]);
    for (const host of new Set([...hosts, ...ips])) {
      const isAllowed = ALLOWED_HOSTS.some((pattern) => pattern.test(host));
      const isHostname = /\./.test(host) || INTERNAL_SUFFIX.test(host);
      if (!isAllowed && isHostname) {
        findings.push({
          file: file.path,
          line,
          severity: 'error',
          rule: 'hostnames',
          message: `"${host}" looks like a real host; runbooks are public and must not map the infrastructure`,
          fix: 'use a placeholder such as $GRAFANA_URL, <db-host> or an example.com name',
        });
      }
    }
  });
  return findings;
}
