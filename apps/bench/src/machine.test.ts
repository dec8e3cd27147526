import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { versionsRecord } from './machine.js';

it('records the version of every package a run can time, browser backends and plugin cells included', () => {
  const { packages } = versionsRecord();
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const wanted = Object.keys(manifest.dependencies).filter(
    (name) =>
      /^@seqmodel\/(core|attention|layers|backend-(?!testing)|cell-)/.test(name) ||
      /^@tensorflow\/tfjs-(core|layers|backend-)/.test(name),
  );
  expect(wanted).toContain('@seqmodel/backend-webgpu');
  expect(wanted).toContain('@tensorflow/tfjs-backend-webgl');
  for (const name of wanted) expect(packages[name], name).toMatch(/^\d+\.\d+\.\d+/);
});
