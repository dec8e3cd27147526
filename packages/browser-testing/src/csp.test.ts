/**
 * A page whose content security policy forbids generated code (`script-src 'self'`, no 'unsafe-eval'): seqmodel's
 * cpu backend cannot run its compiled kernel (generated JavaScript), says why in the debug log, and runs the generic
 * loop, with the same numbers. Beside it, the same page without the policy runs the compiled kernel. (The wasm
 * backend's compiled kernel needs 'wasm-unsafe-eval', which tfjs' own wasm binary needs too: a page that forbids it
 * has no wasm backend at all.)
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { browserUnavailable, callInPage, openBrowserSession } from './index.js';

const skipReason = browserUnavailable();
if (skipReason !== undefined)
  console.warn(`browser-testing content-security-policy test skipped: ${skipReason}`);

interface LstmRun {
  readonly kernel: string | null;
  readonly said: string[];
  readonly output: number[];
  readonly generic: number[];
}

async function runPage(contentSecurityPolicy?: string): Promise<LstmRun> {
  const entry = fileURLToPath(new URL('./pages/csp.page.ts', import.meta.url));
  const session = await openBrowserSession(
    [],
    entry,
    {},
    contentSecurityPolicy === undefined ? {} : { contentSecurityPolicy },
  );
  try {
    const run = await callInPage<LstmRun>(session.page, 'lstm');
    expect(session.errors).toEqual([]);
    return run;
  } finally {
    await session.close();
  }
}

it.skipIf(skipReason !== undefined)(
  'a page that forbids generated code runs the generic loop and says why; without the policy the compiled kernel runs',
  async () => {
    const forbidden = await runPage("script-src 'self'");
    expect(forbidden.kernel).toBeNull();
    expect(forbidden.said.join('\n')).toMatch(
      /generic loop \(.*generated code cannot run here \(the page's content security policy forbids new Function/,
    );
    expect(forbidden.output).toEqual(forbidden.generic);
    const allowed = await runPage();
    expect(allowed.kernel).toBe('compiled (javascript)');
    expect(allowed.said.join('\n')).not.toMatch(/content security policy/);
    // The compiled kernel and the generic loop agree within float32 rounding (the kit's 1e-5).
    const worst = Math.max(...allowed.output.map((v, i) => Math.abs(v - allowed.generic[i]!)));
    expect(worst).toBeLessThan(1e-5);
    // The same inputs and weights on both pages.
    expect(forbidden.generic).toEqual(allowed.generic);
  },
  180_000,
);
