// Kept apart from markdown.ts: the extension links in the start-up bundle need this and nothing of the parser.
/** Resolves a relative link the way a browser would, from the file that contains it: `a/b.md` + `../c.md` → `c.md`. */
export function resolveRelativePath(fromFile: string, relative: string): string {
  const parts = fromFile.split('/').slice(0, -1);
  for (const part of relative.split('/')) {
    if (part === '..') {
      parts.pop();
    } else if (part !== '.' && part !== '') {
      parts.push(part);
    }
  }
  return parts.join('/');
}
