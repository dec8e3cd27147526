/**
 * The page's side of the protocol (bundled into test pages, runs in the browser): a page announces that it has
 * started with {@link pageReady}, offers conformance checks with {@link exposeChecks} and any other function with
 * {@link expose}; the Node side (`index.ts`) lists and runs them through `page.evaluate`. Errors travel back as
 * their message and stack, so a failing check fails its Node test with the page's own message.
 */

/** A check as the kits make them (core's `ConformanceCheck`): a name, a skip reason, a body. */
export interface PageCheck {
  readonly name: string;
  readonly skip?: string;
  run(): unknown;
}

export interface PageCheckGroup {
  readonly name: string;
  readonly checks: readonly PageCheck[];
}

/** One check's place and skip reason, as the Node side lists them. */
export interface ListedCheck {
  readonly group: string;
  readonly name: string;
  readonly skip?: string;
}

export type CallResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: string };

interface PageGlobal {
  seqmodelReady?: Promise<unknown>;
  seqmodelCall?: typeof callExposed;
  seqmodelFunctions?: Record<string, (...args: unknown[]) => unknown>;
}

const page = globalThis as unknown as PageGlobal;

function functions(): Record<string, (...args: unknown[]) => unknown> {
  page.seqmodelFunctions ??= {};
  return page.seqmodelFunctions;
}

/** Offers `fn` to the Node side under `name` (its arguments and result must survive structured cloning). */
export function expose(name: string, fn: (...args: never[]) => unknown): void {
  functions()[name] = fn as (...args: unknown[]) => unknown;
}

/** Tells the Node side that the page has started (or failed to: the promise's rejection is reported). */
export function pageReady(ready: Promise<unknown>): void {
  page.seqmodelReady = ready;
}

/** Offers the checks `groups` resolves to: `listChecks` and `runCheck(index)`. */
export function exposeChecks(groups: Promise<readonly PageCheckGroup[]>): void {
  const all = groups.then((gs) => gs.flatMap((g) => g.checks.map((check) => ({ group: g.name, check }))));
  expose(
    'listChecks',
    async (): Promise<ListedCheck[]> =>
      (await all).map(({ group, check }) => ({
        group,
        name: check.name,
        ...(check.skip === undefined ? {} : { skip: check.skip }),
      })),
  );
  expose('runCheck', async (index: number) => {
    const entry = (await all)[index];
    if (entry === undefined) throw new Error(`runCheck(${index}): no such check`);
    await entry.check.run();
    return true;
  });
  pageReady(all);
}

/** Runs an exposed function for the Node side; never throws (errors come back as text). */
export async function callExposed(name: string, args: readonly unknown[]): Promise<CallResult> {
  const fn = functions()[name];
  if (fn === undefined) return { ok: false, error: `the page exposes no function ${JSON.stringify(name)}` };
  try {
    return { ok: true, value: await fn(...args) };
  } catch (error) {
    const e = error as Error;
    return { ok: false, error: e?.stack ?? String(error) };
  }
}

page.seqmodelCall = callExposed;
