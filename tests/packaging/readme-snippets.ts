/**
 * The runnable examples of the READMEs: fenced blocks whose info string is `js runnable` or `ts runnable`.
 * The packaging test runs each one against the packed packages installed in a fresh project (and typechecks the
 * TypeScript ones), so an example that stops working fails `pnpm test`. Blocks without the word are fragments
 * (a piece of a class, a call that needs the reader's own cell) and are not run.
 */

export interface Snippet {
  /** The Markdown file, as given. */
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  language: 'js' | 'ts';
  code: string;
}

const OPENING = /^( *)(`{3,}|~{3,})\s*(\S*)(.*)$/;

/** Every fenced block of `markdown` marked `runnable`, in order, its indentation removed. */
export function runnableSnippets(file: string, markdown: string): Snippet[] {
  const lines = markdown.split(/\r?\n/);
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = OPENING.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, indent = '', fence = '', language = '', rest = ''] = open;
    const end = lines.findIndex((text, j) => j > i && text.trimEnd() === `${indent}${fence}`);
    if (end === -1)
      throw new Error(`${file}:${i + 1}: expected a closing ${fence}, received the end of the file`);
    const runnable = rest.split(/\s+/).includes('runnable');
    if (runnable) {
      if (language !== 'js' && language !== 'ts') {
        throw new Error(
          `${file}:${i + 1}: expected a runnable block in js or ts, received ${language || 'none'}`,
        );
      }
      const code = lines
        .slice(i + 1, end)
        .map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text.trimStart()))
        .join('\n');
      snippets.push({ file, line: i + 1, language, code: `${code}\n` });
    }
    i = end;
  }
  return snippets;
}

/**
 * The packages that the `npm install` commands of `markdown` install, by name: `$SEQMODEL/seqmodel-<name>-*.tgz`
 * (a packed tarball, see the root README) is `@seqmodel/<name>`, `pkg@1.2.3` is `pkg`. Continued lines (`\`) count.
 */
export function installedPackages(markdown: string): Set<string> {
  const names = new Set<string>();
  const commands = markdown.replace(/\\\r?\n/g, ' ').match(/^\s*npm install .*$/gm) ?? [];
  for (const command of commands) {
    const words = command.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
    for (const word of words.filter((w) => !w.startsWith('-'))) {
      const tarball = /seqmodel-([a-z0-9-]+)-\*\.tgz$/.exec(word);
      names.add(tarball ? `@seqmodel/${tarball[1]}` : word.replace(/(.)@[^/@]*$/, '$1'));
    }
  }
  return names;
}

/** The packages a snippet imports or requires by bare name (`@scope/name/sub` is `@scope/name`), `node:` left out. */
export function importedPackages(code: string): Set<string> {
  const specifiers = [
    ...code.matchAll(/(?:\bfrom\s+|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g),
  ].map((match) => match[1] ?? '');
  const bare = specifiers.filter((s) => !s.startsWith('.') && !s.startsWith('/') && !s.startsWith('node:'));
  return new Set(
    bare.map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    ),
  );
}
