/**
 * A cell's parameters as its own code reads them (`projectInput`, `prepare`, `step`), noting every name read that the
 * record lacks. A misspelled name (`params.recurrentKernal`) reads undefined and fails later in some op, with a
 * message about an argument of that op (`matMul(b): expected a tensor ..., received undefined`);
 * {@link ParamReads.explain} adds the cell and the name to such an error. Reading an absent name is no error in
 * itself: a cell may test for an optional parameter (`params.bias === undefined` without a bias), so only names close
 * to a given one count as misspellings.
 */
import { SeqmodelError } from './errors.js';
import { closestName } from './options.js';

export class ParamReads<T> {
  /** The record, as the cell's code should see it. */
  readonly params: Readonly<Record<string, T>>;
  private readonly absent = new Set<string>();
  private readonly read = new Set<string>();

  constructor(private readonly given: Readonly<Record<string, T>>) {
    const { absent, read } = this;
    this.params = new Proxy(given, {
      get(target, key, receiver) {
        // Names on the prototype (`toString`) are not parameters.
        if (typeof key === 'string') {
          if (!Object.hasOwn(target, key)) {
            if (!(key in target)) absent.add(key);
          } else read.add(key);
        }
        return Reflect.get(target, key, receiver);
      },
    });
  }

  /**
   * Throws when the cell's code read an absent name close to a given one that it never read (`params.bais` and no
   * `params.bias`): a misspelling that failed nowhere, where `undefined` is allowed (the bias of `affine`), and would
   * leave the parameter unused. Call once the code has run.
   */
  checkMisspelled(cellName: string): void {
    const misspelled = this.closeAbsentNames()
      .filter(({ closest }) => !this.read.has(closest))
      .map(
        ({ name, closest }) =>
          `params.${name} (did you mean ${JSON.stringify(closest)}? params.${closest} was never read)`,
      );
    if (misspelled.length > 0) {
      throw new SeqmodelError(
        `${cellName} cell: its code read parameters it was not given, and never read the declared ones they are ` +
          `closest to: ${misspelled.join(', ')}`,
      );
    }
  }

  /** Each absent name the code read that is close to a given one, with that one. */
  private closeAbsentNames(): { name: string; closest: string }[] {
    const given = Object.keys(this.given);
    return [...this.absent].flatMap((name) => {
      const closest = closestName(name, given);
      return closest === undefined ? [] : [{ name, closest }];
    });
  }

  /**
   * `error`, thrown while the cell's code ran, as an error naming the cell and each absent name it read that is close
   * to a given one, when there is such a name and the error is about an undefined value; otherwise `error` itself.
   */
  explain(error: unknown, cellName: string): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (!message.includes('undefined')) return error;
    const misspelled = this.closeAbsentNames().map(
      ({ name, closest }) => `params.${name} (did you mean ${JSON.stringify(closest)}?)`,
    );
    if (misspelled.length === 0) return error;
    return new SeqmodelError(
      `${cellName} cell: ${message.replace(/\.$/, '')}; its code read parameters it was not given: ${misspelled.join(', ')}`,
      { cause: error },
    );
  }
}
