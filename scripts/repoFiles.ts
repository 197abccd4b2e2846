import fs from 'node:fs';
import path from 'node:path';

// The repository's files as the checkers and the stack check read them: paths from the repository root, with `/`.

export const ROOT = path.resolve(__dirname, '..');

/** Files under `dir` (recursively unless told otherwise) whose path matches `pattern`, sorted; none if it is absent. */
export function filesUnder(dir: string, pattern: RegExp, recursive = true): string[] {
  const absolute = path.join(ROOT, dir);
  if (!fs.existsSync(absolute)) {
    return [];
  }
  return (fs.readdirSync(absolute, { recursive }) as string[])
    .filter((file) => pattern.test(file))
    .map((file) => path.join(dir, file).split(path.sep).join('/'))
    .sort();
}

export function readRepoFile(file: string): string {
  return fs.readFileSync(path.join(ROOT, file), 'utf8');
}
