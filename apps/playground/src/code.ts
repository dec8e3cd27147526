/**
 * "Copy as code": the seqmodel script that makes the data, builds the model and trains it as the page does (same
 * seed, same batches in the same order), for Node or a bundler. Assembled from the task's and the model's own code
 * (`tasks.ts`, `model.ts`); a test runs it and checks that its losses are the page's.
 */
import { pluginOf } from './cells.js';
import { type PlaygroundConfig, queryFromConfig } from './config.js';
import { modelCode } from './model.js';
import type { TaskData } from './tasks.js';

/** How the script gets its backend. */
const BACKEND_CODE: Readonly<Record<string, { imports: [string, string]; line: string }>> = {
  cpu: {
    imports: ['@seqmodel/backend-cpu', 'createCpuBackend'],
    line: 'const backend = createCpuBackend();',
  },
  wasm: {
    imports: ['@seqmodel/backend-wasm', 'createWasmBackend'],
    line: "const backend = await createWasmBackend(); // in a browser: createWasmBackend({ wasmPaths: '/where/you/serve/the/wasm/files/' })",
  },
};

export interface CodeOptions {
  /** Training steps the script runs (default: the page's step count, at least 500). */
  readonly steps?: number;
  /** Backend of the script (default: the page's; Node has cpu and wasm). */
  readonly backend?: string;
  /** The page's address, quoted in the header so the script leads back to the run. */
  readonly origin?: string;
}

/** The script for `config` and its task. */
export function generateCode(config: PlaygroundConfig, task: TaskData, options: CodeOptions = {}): string {
  const steps = options.steps ?? Math.max(500, config.steps);
  const backend = BACKEND_CODE[options.backend ?? config.backend] ?? BACKEND_CODE.wasm!;
  const model = modelCode(config, task);
  const imports = new Map<string, Set<string>>();
  const add = (module: string, names: readonly string[]) => {
    const set = imports.get(module) ?? new Set<string>();
    for (const n of names) set.add(n);
    imports.set(module, set);
  };
  add(backend.imports[0], [backend.imports[1]]);
  add('@seqmodel/datasets', ['batches', ...task.code.imports]);
  for (const [module, names] of model.imports) add(module, names);
  const plugin = pluginOf(config.cell);
  const registration: string[] = [];
  if (plugin !== undefined) {
    add('@seqmodel/core', ['registerCell']);
    add(plugin.packageName, [plugin.exportName]);
    registration.push(`registerCell(${plugin.exportName}); // a plugin cell: registered before use`, '');
  }
  const importLines = [...imports.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([module, names]) => {
      const list = [...names]
        .sort()
        .map((n) => (n === 'model' && module === '@seqmodel/layers' ? 'model as modelOf' : n));
      return `import { ${list.join(', ')} } from '${module}';`;
    });
  if (config.attention) importLines.push("// @seqmodel/attention's layers are registered by importing it.");
  const query = queryFromConfig(config);
  const link = options.origin === undefined ? '' : `${options.origin}${query === '' ? '' : `?${query}`}`;
  const sampleWeight =
    task.train.sampleWeights === undefined ? '' : ', { sampleWeight: batch.sampleWeights }';
  const testWeight = task.test.sampleWeights === undefined ? '' : ', { sampleWeight: test.sampleWeights }';
  const lines = [
    `// ${task.title}: ${config.depth > 1 ? `${config.depth} × ` : ''}${config.bidirectional ? 'bidirectional ' : ''}${config.cell} (${config.units} units)${config.attention ? ' with attention' : ''}, seed ${config.seed}.`,
    '// Written by the seqmodel playground; the same seed gives the same data, weights and batches.',
    ...(link === '' ? [] : [`// ${link}`]),
    ...importLines,
    '',
    ...registration,
    ...(config.backend === 'webgl'
      ? [
          "// The page trains on WebGL; Node has none. In a browser: import { createWebglBackend } from '@seqmodel/backend-webgl';",
          '// and const backend = await createWebglBackend();',
        ]
      : []),
    backend.line,
    '',
    task.code.lines,
    '',
    model.lines,
    '',
    `const steps = ${steps};`,
    'let step = 0;',
    'for (let epoch = 0; step < steps; epoch++) {',
    `  for (const batch of batches(train, { batchSize: ${config.batchSize}, shuffle: true, seed: ${config.seed}, epoch, dropRemainder: true })) {`,
    '    if (step === steps) break;',
    `    const logs = model.trainOnBatch(batch.inputs, batch.targets${sampleWeight});`,
    '    step += 1;',
    `    if (step % 50 === 0 || step === steps) console.log(\`step \${step}: loss \${logs.loss.toFixed(4)}, ${task.head.metric} \${logs.${task.head.metric}.toFixed(3)}\`);`,
    '  }',
    '}',
    `console.log('test', model.testOnBatch(test.inputs, test.targets${testWeight}));`,
    '',
  ];
  return lines.join('\n');
}
