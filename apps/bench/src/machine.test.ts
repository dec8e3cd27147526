import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { versionsRecord } from './machine.js';

it('records the version of every package a run can time, browser backends and plugin cells included', () => {
  const { packages } = versionsRecord();
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  // Every seqmodel dependency but the browser pages' kit (no code a run times), not machine.ts's own filter, so that
  // a package that filter leaves out fails here.
  const wanted = Object.keys(manifest.dependencies).filter(
    (name) =>
      (name.startsWith('@seqmodel/') && name !== '@seqmodel/browser-testing') ||
      /^@tensorflow\/tfjs-(core|layers|backend-)/.test(name),
  );
  for (const name of [
    '@seqmodel/backend-webgpu',
    '@seqmodel/cell-mgu',
    '@seqmodel/layers',
    '@tensorflow/tfjs-backend-webgl',
  ])
    expect(wanted).toContain(name);
  for (const name of wanted) expect(`${name} ${packages[name] ?? 'not recorded'}`).toMatch(/ \d+\.\d+\.\d+/);
});
