/**
 * A vocabulary: the mapping between tokens and integer ids. Special tokens come first (PAD = 0, UNK, BOS, EOS by
 * default), then the counted tokens by decreasing count, ties in code-point order, so that the same counts always
 * give the same ids. Tokens seen fewer than `minCount` times, or beyond `maxSize`, are left out.
 */
import { checkOptions, checkPositiveInteger, invalidArgument, SeqmodelError } from '@seqmodel/core';
import { type DataSource, loadText } from '../io/source.js';

export interface SpecialTokens {
  /** Padding token, id 0 when present (default `<pad>`; `null` for none). */
  pad?: string | null;
  /** Token for anything not in the vocabulary (default `<unk>`; `null` for none: unknown tokens are an error). */
  unk?: string | null;
  /** Beginning-of-sequence token (default `<bos>`; `null` for none). */
  bos?: string | null;
  /** End-of-sequence token (default `<eos>`; `null` for none). */
  eos?: string | null;
}

export interface VocabularyOptions {
  /** Leaves out tokens seen fewer times (default 1). */
  minCount?: number;
  /** Largest vocabulary, special tokens included (default: no limit). */
  maxSize?: number;
  /** Special tokens, placed first in the order pad, unk, bos, eos. */
  specialTokens?: SpecialTokens;
}

export interface VocabularyJSON {
  tokens: string[];
  specialTokens: { pad: string | null; unk: string | null; bos: string | null; eos: string | null };
}

type SpecialName = 'pad' | 'unk' | 'bos' | 'eos';
/** The options of `Vocabulary.build` / `fromCounts` (the tokenizers' `fit` add their own). */
export const vocabularyOptionKeys = ['minCount', 'maxSize', 'specialTokens'] as const;
const SPECIAL_NAMES: readonly SpecialName[] = ['pad', 'unk', 'bos', 'eos'];
const DEFAULT_SPECIALS: Record<SpecialName, string> = {
  pad: '<pad>',
  unk: '<unk>',
  bos: '<bos>',
  eos: '<eos>',
};

/** `json` itself, or parsed when it is a string; a string that is not JSON is an error naming `argument`. */
export function parseJson<T>(argument: string, json: T | string, expected: string): T {
  if (typeof json !== 'string') return json;
  try {
    return JSON.parse(json) as T;
  } catch (error) {
    throw new SeqmodelError(
      `${argument}: expected JSON text of ${expected}, received text that is not JSON (${(error as Error).message})`,
    );
  }
}

/** Counts tokens, to build a vocabulary from a corpus too large to hold (add it piece by piece). */
export class TokenCounter {
  readonly counts = new Map<string, number>();

  add(tokens: Iterable<string>): this {
    for (const token of tokens) this.counts.set(token, (this.counts.get(token) ?? 0) + 1);
    return this;
  }
}

export class Vocabulary {
  private readonly ids: Map<string, number>;
  readonly specialTokens: VocabularyJSON['specialTokens'];

  /** Prefer `Vocabulary.build` / `fromCounts` / `fromJSON`; `tokens[i]` is the token of id i. */
  constructor(
    readonly tokens: readonly string[],
    specialTokens: SpecialTokens = {},
  ) {
    this.ids = new Map();
    if (!Array.isArray(tokens)) invalidArgument('tokens', tokens, 'an array of distinct strings');
    tokens.forEach((token, id) => {
      if (typeof token !== 'string') invalidArgument(`tokens[${id}]`, token, 'a string');
      if (this.ids.has(token)) invalidArgument(`tokens[${id}]`, token, 'distinct tokens (this one repeats)');
      this.ids.set(token, id);
    });
    checkOptions('specialTokens', specialTokens, [...SPECIAL_NAMES]);
    const specials = {} as VocabularyJSON['specialTokens'];
    for (const name of SPECIAL_NAMES) {
      const token = specialTokens[name] ?? null;
      if (token !== null && !this.ids.has(token)) {
        invalidArgument(`specialTokens.${name}`, token, 'a token of the vocabulary');
      }
      specials[name] = token;
    }
    this.specialTokens = specials;
  }

  /** Builds a vocabulary from a stream of tokens. */
  static build(tokens: Iterable<string>, options: VocabularyOptions = {}): Vocabulary {
    checkOptions('Vocabulary.build(options)', options, vocabularyOptionKeys);
    return Vocabulary.fromCounts(new TokenCounter().add(tokens).counts, options);
  }

  /** Builds a vocabulary from token counts (see `TokenCounter`). */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabularyOptions = {}): Vocabulary {
    checkOptions('Vocabulary.fromCounts(options)', options, vocabularyOptionKeys);
    if (!(counts instanceof Map))
      invalidArgument('counts', counts, 'a Map from token to count (TokenCounter.counts)');
    for (const [token, count] of counts) {
      if (typeof token !== 'string') invalidArgument('counts', token, 'string tokens as keys');
      if (!Number.isInteger(count) || count < 0) {
        invalidArgument(`counts.get(${JSON.stringify(token)})`, count, 'a non-negative integer count');
      }
    }
    const minCount = checkPositiveInteger('minCount', options.minCount ?? 1);
    const maxSize =
      options.maxSize === undefined
        ? Number.POSITIVE_INFINITY
        : checkPositiveInteger('maxSize', options.maxSize);
    const given = options.specialTokens ?? {};
    checkOptions('specialTokens', given, [...SPECIAL_NAMES]);
    const specials: SpecialTokens = {};
    const head: string[] = [];
    for (const name of SPECIAL_NAMES) {
      const token = given[name] === undefined ? DEFAULT_SPECIALS[name] : given[name];
      if (token === null) continue;
      if (typeof token !== 'string' || token.length === 0) {
        invalidArgument(`specialTokens.${name}`, token, 'a non-empty string or null');
      }
      if (head.includes(token))
        invalidArgument(`specialTokens.${name}`, token, 'a token distinct from the others');
      specials[name] = token;
      head.push(token);
    }
    if (head.length > maxSize)
      invalidArgument('maxSize', maxSize, `at least ${head.length} (the special tokens)`);
    const counted = [...counts.entries()]
      .filter(([token, count]) => count >= minCount && !head.includes(token))
      .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, maxSize - head.length)
      .map(([token]) => token);
    return new Vocabulary([...head, ...counted], specials);
  }

  static fromJSON(json: VocabularyJSON | string): Vocabulary {
    const parsed = parseJson<VocabularyJSON>('json', json, 'a vocabulary as written by toJSON()');
    if (!parsed || !Array.isArray(parsed.tokens)) {
      invalidArgument('json', parsed, '{ tokens: string[], specialTokens: {…} } as written by toJSON');
    }
    return new Vocabulary(parsed.tokens, parsed.specialTokens ?? {});
  }

  toJSON(): VocabularyJSON {
    return { tokens: [...this.tokens], specialTokens: { ...this.specialTokens } };
  }

  get size(): number {
    return this.tokens.length;
  }

  /** Id of a special token, or undefined when the vocabulary has none. */
  private special(name: SpecialName): number | undefined {
    const token = this.specialTokens[name];
    return token === null ? undefined : this.ids.get(token);
  }

  get padId(): number | undefined {
    return this.special('pad');
  }
  get unkId(): number | undefined {
    return this.special('unk');
  }
  get bosId(): number | undefined {
    return this.special('bos');
  }
  get eosId(): number | undefined {
    return this.special('eos');
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  /** Whether `id` is one of the special tokens. */
  isSpecial(id: number): boolean {
    return SPECIAL_NAMES.some((name) => this.special(name) === id);
  }

  /** The id of `token`: UNK's id for an unknown token, an error when there is no UNK token. */
  idOf(token: string): number {
    if (typeof token !== 'string') invalidArgument('token', token, 'a string');
    const id = this.ids.get(token);
    if (id !== undefined) return id;
    const unk = this.unkId;
    if (unk === undefined) {
      throw new SeqmodelError(
        `token: expected a token of the vocabulary, received ${JSON.stringify(token)} (the vocabulary has no UNK token to stand for unknown tokens)`,
      );
    }
    return unk;
  }

  tokenOf(id: number): string {
    const token = this.tokens[id];
    if (!Number.isInteger(id) || token === undefined) invalidArgument('id', id, `an id in [0, ${this.size})`);
    return token;
  }

  /** Special token id by name, or an error naming the missing token (for `addBos` and the like). */
  requireSpecial(name: SpecialName, argument: string): number {
    const id = this.special(name);
    if (id === undefined) {
      throw new SeqmodelError(`${argument}: the vocabulary has no ${name.toUpperCase()} token`);
    }
    return id;
  }
}

/** Writes a vocabulary as JSON to a file (Node only). */
export async function saveVocabulary(vocabulary: Vocabulary, path: string | URL): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, JSON.stringify(vocabulary.toJSON()), 'utf8');
}

/** Reads a vocabulary saved by `saveVocabulary` from a path, URL, `Blob` or stream. */
export async function loadVocabulary(source: DataSource): Promise<Vocabulary> {
  return Vocabulary.fromJSON(await loadText(source));
}
