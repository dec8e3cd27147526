import { describe, expect, it } from 'vitest';
import { importedPackages, installedPackages, runnableSnippets } from './readme-snippets.js';

describe('runnableSnippets', () => {
  it('takes js and ts blocks marked runnable, with their line and indentation removed', () => {
    const markdown = [
      '# Title',
      '```js runnable',
      "console.log('a');",
      '```',
      '```js',
      "fragment('not run');",
      '```',
      '- a list item:',
      '',
      '  ```ts runnable',
      '  const x: number = 1;',
      '    console.log(x);',
      '  ```',
      '```sh',
      'npm install',
      '```',
    ].join('\n');
    expect(runnableSnippets('README.md', markdown)).toEqual([
      { file: 'README.md', line: 2, language: 'js', code: "console.log('a');\n" },
      { file: 'README.md', line: 10, language: 'ts', code: 'const x: number = 1;\n  console.log(x);\n' },
    ]);
  });

  it('does not look for fences inside a block', () => {
    const markdown = ['````md', '```js runnable', 'inner();', '```', '````'].join('\n');
    expect(runnableSnippets('doc.md', markdown)).toEqual([]);
  });

  it('refuses a runnable block in another language and an unclosed block, naming the line', () => {
    expect(() => runnableSnippets('a.md', '```sh runnable\nls\n```')).toThrow(
      'a.md:1: expected a runnable block in js or ts, received sh',
    );
    expect(() => runnableSnippets('b.md', 'text\n```js runnable\nx();\n')).toThrow(
      'b.md:2: expected a closing ```, received the end of the file',
    );
  });
});

describe('installedPackages', () => {
  it('reads tarball globs, registry names with versions and continued lines', () => {
    const markdown = [
      '```sh',
      'npm install $SEQMODEL/seqmodel-core-*.tgz $SEQMODEL/seqmodel-backend-cpu-*.tgz \\',
      '  @tensorflow/tfjs-core@4.22.0 --save-exact # a comment',
      '```',
      'text npm install not-a-command',
      '    npm install left-pad',
    ].join('\n');
    expect([...installedPackages(markdown)]).toEqual([
      '@seqmodel/core',
      '@seqmodel/backend-cpu',
      '@tensorflow/tfjs-core',
      'left-pad',
    ]);
  });
});

describe('importedPackages', () => {
  it('takes bare specifiers of imports, dynamic imports and requires, without subpaths or node: modules', () => {
    const code = [
      "import { a } from '@seqmodel/core';",
      "import '@tensorflow/tfjs-backend-cpu';",
      "import * as t from '@seqmodel/core/testing';",
      "const fs = require('node:fs');",
      "const x = await import('lodash/fp');",
      "import { b } from './local.js';",
    ].join('\n');
    expect([...importedPackages(code)].sort()).toEqual([
      '@seqmodel/core',
      '@tensorflow/tfjs-backend-cpu',
      'lodash',
    ]);
  });
});
