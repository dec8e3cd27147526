/**
 * The release flow stays ready: changesets' own planner reads every `.changeset/*.md` and the config (as
 * `changeset version` would, without writing anything), and each changeset names packages that get published.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { publishablePackages } from '../../scripts/pack-all.mjs';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface ReleasePlan {
  changesets: { id: string; releases: { name: string; type: string }[] }[];
  releases: { name: string; type: string; newVersion: string }[];
}

// The planner is a dependency of @changesets/cli (the root devDependency), resolved from there.
const fromCli = createRequire(
  createRequire(join(repoRoot, 'package.json')).resolve('@changesets/cli/package.json'),
);
const planModule = fromCli('@changesets/get-release-plan') as
  | { default: (cwd: string) => Promise<ReleasePlan> }
  | ((cwd: string) => Promise<ReleasePlan>);
const getReleasePlan = typeof planModule === 'function' ? planModule : planModule.default;

describe('changesets', () => {
  it('every changeset parses and names published packages with a bump type', async () => {
    const plan = await getReleasePlan(repoRoot);
    const published = new Set(publishablePackages(repoRoot).map(({ manifest }) => manifest.name));
    expect(plan.changesets.length).toBeGreaterThan(0);
    for (const changeset of plan.changesets) {
      expect(changeset.releases.length, changeset.id).toBeGreaterThan(0);
      for (const release of changeset.releases) {
        expect(published.has(release.name), `${changeset.id}: ${release.name}`).toBe(true);
        expect(['patch', 'minor', 'major'], `${changeset.id}: ${release.name}`).toContain(release.type);
      }
    }
    // Private apps are never versioned (config: privatePackages) or published.
    const bumped = plan.releases.filter((release) => release.type !== 'none');
    expect(bumped.filter((release) => !published.has(release.name))).toEqual([]);
  });

  it('peers on our own packages take every 0.x release (workspace:>=0.0.0 <1, not workspace:^)', () => {
    // `workspace:^` publishes `^0.0.0`, which takes 0.0.0 alone: a plugin published so would refuse core 0.1.0.
    const wrong = publishablePackages(repoRoot).flatMap(({ manifest }) =>
      Object.entries((manifest.peerDependencies ?? {}) as Record<string, string>)
        .filter(([name, range]) => name.startsWith('@seqmodel/') && range !== 'workspace:>=0.0.0 <1')
        .map(([name, range]) => `${manifest.name}: ${name} ${range}`),
    );
    expect(wrong).toEqual([]);
  });
});
