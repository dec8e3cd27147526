import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fakeResults } from './test-fixtures.js';
import { assertResults, resultsSchema, schemaErrors } from './validate.js';

describe('results schema', () => {
  const good = fakeResults([
    { cell: 'lstm', seqmodel: [1, 2], layers: [2, 3] },
    { cell: 'mgu', seqmodel: [1] },
  ]);

  it('is the committed file, and accepts well-formed results', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../schema/bench-results.v1.schema.json', import.meta.url), 'utf8'),
    );
    expect(resultsSchema).toEqual(committed);
    expect(committed.properties.schemaVersion).toEqual({ const: 1 });
    expect(schemaErrors(good)).toEqual([]);
    expect(() => assertResults(JSON.parse(JSON.stringify(good)), 'good.json')).not.toThrow();
  });

  it('names the path of each problem', () => {
    // A plain mutable copy (JSON.parse gives it no type), to break it.
    const bad = JSON.parse(JSON.stringify(good));
    delete bad.machine.node;
    bad.cases[0].seqmodel.samplesMs = [];
    bad.cases[0].mode = 'backward';
    bad.cases[1].key = 'no slashes';
    bad.extra = true;
    const errors = schemaErrors(bad);
    expect(errors).toContain("/machine: must have required property 'node'");
    expect(errors).toContain('/cases/0/seqmodel/samplesMs: must NOT have fewer than 1 items');
    expect(errors).toContain('/cases/0/mode: must be equal to one of the allowed values');
    expect(errors.some((e) => e.startsWith('/cases/1/key: must match pattern'))).toBe(true);
    expect(errors).toContain('(root): must NOT have additional properties');
    expect(() => assertResults(bad, 'bad.json')).toThrow('bad.json: does not match the results schema: ');
  });

  it('refuses another schema version before anything else', () => {
    expect(() => assertResults({ ...good, schemaVersion: 2 }, 'new.json')).toThrow(
      'new.json: expected seqmodel-bench results with schemaVersion 1, received schemaVersion 2',
    );
    expect(() => assertResults([], 'list.json')).toThrow('received schemaVersion undefined');
  });
});
