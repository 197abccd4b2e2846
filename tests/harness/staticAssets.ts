import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';

// What Grafana serves from its public folder that the harness serves too: the host page and its build
// (tests/harness/.build), the built plugin under Grafana's public plugin path, and @grafana/ui's icons and fonts.

const ROOT = path.resolve(__dirname, '..', '..');
export const BUILD = path.join(__dirname, '.build');
export const DIST = path.join(ROOT, 'dist');
// Grafana serves @grafana/ui's icons from its public folder; the host page points the library there.
const ICONS = path.join(ROOT, 'node_modules', '@grafana', 'ui', 'dist', 'public', 'img', 'icons');
// Grafana serves its fonts (Inter, Roboto Mono) from public/fonts; the harness serves the same faces from Fontsource.
const FONTSOURCE = path.join(ROOT, 'node_modules', '@fontsource');
const FONTS: Record<string, string> = {
  'inter/Inter-Regular.woff2': 'inter/files/inter-latin-400-normal.woff2',
  'inter/Inter-Italic.woff2': 'inter/files/inter-latin-400-italic.woff2',
  'inter/Inter-Medium.woff2': 'inter/files/inter-latin-500-normal.woff2',
  'inter/Inter-MediumItalic.woff2': 'inter/files/inter-latin-500-italic.woff2',
};
const ROBOTO_MONO = 'roboto-mono/files/roboto-mono-latin-400-normal.woff2';
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.css': 'text/css',
  '.md': 'text/markdown',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

function serveFile(response: http.ServerResponse, file: string) {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  fs.createReadStream(file).pipe(response);
}

/** Serves the file for a path of the host page or Grafana's public folder; resolves false for any other path. */
export function serveStatic(
  pathname: string,
  pluginId: string,
  response: http.ServerResponse,
  pluginDist = DIST
): boolean {
  const pluginPath = `/public/plugins/${pluginId}/`;
  if (pathname.startsWith('/harness/')) {
    serveFile(response, path.join(BUILD, path.normalize(pathname.slice('/harness/'.length))));
  } else if (pathname === '/public/build/img/icons/unicons/spinner.svg') {
    // Grafana ships its spinner icon itself, not in @grafana/ui's package: the harness draws its own.
    serveFile(response, path.join(__dirname, 'host', 'spinner.svg'));
  } else if (pathname.startsWith('/public/build/img/icons/')) {
    serveFile(response, path.join(ICONS, path.normalize(pathname.slice('/public/build/img/icons/'.length))));
  } else if (pathname.startsWith('/public/fonts/')) {
    const font = pathname.slice('/public/fonts/'.length);
    const file = FONTS[font] ?? (font.startsWith('roboto/') ? ROBOTO_MONO : undefined);
    serveFile(response, file ? path.join(FONTSOURCE, file) : '');
  } else if (pathname.startsWith(pluginPath)) {
    serveFile(response, path.join(pluginDist, path.normalize(pathname.slice(pluginPath.length))));
  } else {
    return false;
  }
  return true;
}

/** Grafana's single-page app: every other page path gets the host page. */
export function serveHostPage(response: http.ServerResponse): void {
  serveFile(response, path.join(__dirname, 'host', 'index.html'));
}
