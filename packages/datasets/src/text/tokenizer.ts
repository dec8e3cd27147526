/**
 * Character and word tokenizers over a `Vocabulary`. `encode` turns text into an `Int32Array` of ids and `decode`
 * turns ids back into text: for characters the round trip is exact (for text without unknown characters); for
 * words `decode` joins the tokens with single spaces, so `decode(encode(t))` equals `tokenize(t).join(' ')` and
 * `encode(decode(ids))` gives the ids back.
 */
import { checkOptions, invalidArgument } from '@seqmodel/core';
import { checkArrayLike, flag } from '../checks.js';
import { type DataSource, loadText } from '../io/source.js';
import {
  parseJson,
  TokenCounter,
  Vocabulary,
  type VocabularyJSON,
  type VocabularyOptions,
  vocabularyOptionKeys,
} from './vocabulary.js';

export interface EncodeOptions {
  /** Puts the BOS id first (default false). */
  addBos?: boolean;
  /** Puts the EOS id last (default false). */
  addEos?: boolean;
}

export interface DecodeOptions {
  /** Leaves out PAD, BOS and EOS (default true); UNK is always kept. */
  skipSpecial?: boolean;
}

export interface TokenizerJSON {
  type: 'char' | 'word';
  lowercase?: boolean;
  vocabulary: VocabularyJSON;
}

abstract class BaseTokenizer {
  constructor(readonly vocabulary: Vocabulary) {}

  /** Splits text into tokens (no vocabulary lookup). */
  abstract tokenize(text: string): string[];
  protected abstract join(tokens: string[]): string;
  abstract toJSON(): TokenizerJSON;

  get vocabularySize(): number {
    return this.vocabulary.size;
  }

  encode(text: string, options: EncodeOptions = {}): Int32Array {
    if (typeof text !== 'string') invalidArgument('text', text, 'a string');
    checkOptions('encode(options)', options, ['addBos', 'addEos']);
    const addBos = flag('addBos', options.addBos, false);
    const addEos = flag('addEos', options.addEos, false);
    const tokens = this.tokenize(text);
    const bos = addBos ? 1 : 0;
    const ids = new Int32Array(tokens.length + bos + (addEos ? 1 : 0));
    if (addBos) ids[0] = this.vocabulary.requireSpecial('bos', 'addBos');
    for (let i = 0; i < tokens.length; i++) ids[bos + i] = this.vocabulary.idOf(tokens[i]!);
    if (addEos) ids[ids.length - 1] = this.vocabulary.requireSpecial('eos', 'addEos');
    return ids;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    checkOptions('decode(options)', options, ['skipSpecial']);
    checkArrayLike('ids', ids, 'an array of token ids');
    const skip = flag('skipSpecial', options.skipSpecial, true);
    const unk = this.vocabulary.unkId;
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (skip && id !== unk && this.vocabulary.isSpecial(id)) continue;
      tokens.push(this.vocabulary.tokenOf(id));
    }
    return this.join(tokens);
  }

  /** Serializes to a JSON string; read it back with `tokenizerFromJSON`. */
  serialize(): string {
    return JSON.stringify(this.toJSON());
  }
}

/** One token per Unicode code point (so emoji and other astral characters stay whole). */
export class CharTokenizer extends BaseTokenizer {
  /** Builds the vocabulary from `texts` (a string or strings). */
  static fit(texts: string | Iterable<string>, options: VocabularyOptions = {}): CharTokenizer {
    checkOptions('CharTokenizer.fit(options)', options, vocabularyOptionKeys);
    const counter = new TokenCounter();
    for (const text of texts_('texts', texts)) counter.add(text);
    return new CharTokenizer(Vocabulary.fromCounts(counter.counts, options));
  }

  /** Builds the vocabulary from streamed text chunks (`streamText(source)`), without holding the text. */
  static async fitAsync(
    chunks: AsyncIterable<string>,
    options: VocabularyOptions = {},
  ): Promise<CharTokenizer> {
    checkOptions('CharTokenizer.fitAsync(options)', options, vocabularyOptionKeys);
    const counter = new TokenCounter();
    for await (const chunk of asyncTexts('chunks', chunks)) counter.add(chunk);
    return new CharTokenizer(Vocabulary.fromCounts(counter.counts, options));
  }

  tokenize(text: string): string[] {
    return Array.from(text);
  }

  protected join(tokens: string[]): string {
    return tokens.join('');
  }

  toJSON(): TokenizerJSON {
    return { type: 'char', vocabulary: this.vocabulary.toJSON() };
  }
}

export interface WordTokenizerOptions {
  /** Lower-cases text before splitting (default true, like Keras' `Tokenizer`). */
  lowercase?: boolean;
}

/**
 * Words (letters, digits and inner apostrophes, e.g. `don't`) and single punctuation marks are tokens; whitespace
 * separates them and is dropped.
 */
export class WordTokenizer extends BaseTokenizer {
  private static readonly pattern = /[\p{L}\p{N}\p{M}]+(?:['’][\p{L}\p{N}\p{M}]+)*|[^\s\p{L}\p{N}\p{M}]/gu;
  readonly lowercase: boolean;

  constructor(vocabulary: Vocabulary, options: WordTokenizerOptions = {}) {
    super(vocabulary);
    checkOptions('WordTokenizer(options)', options, ['lowercase']);
    this.lowercase = flag('lowercase', options.lowercase, true);
  }

  /** Builds the vocabulary from `texts` (a string or strings, e.g. lines). */
  static fit(
    texts: string | Iterable<string>,
    options: VocabularyOptions & WordTokenizerOptions = {},
  ): WordTokenizer {
    const { vocabulary, word } = wordFitOptions('WordTokenizer.fit(options)', options);
    const splitter = new WordTokenizer(new Vocabulary([]), word);
    const counter = new TokenCounter();
    for (const text of texts_('texts', texts)) counter.add(splitter.tokenize(text));
    return new WordTokenizer(Vocabulary.fromCounts(counter.counts, vocabulary), word);
  }

  /**
   * Builds the vocabulary from streamed texts without holding them; pass whole lines (`streamLines(source)`) so
   * that no word is cut between two chunks.
   */
  static async fitAsync(
    lines: AsyncIterable<string>,
    options: VocabularyOptions & WordTokenizerOptions = {},
  ): Promise<WordTokenizer> {
    const { vocabulary, word } = wordFitOptions('WordTokenizer.fitAsync(options)', options);
    const splitter = new WordTokenizer(new Vocabulary([]), word);
    const counter = new TokenCounter();
    for await (const line of asyncTexts('lines', lines)) counter.add(splitter.tokenize(line));
    return new WordTokenizer(Vocabulary.fromCounts(counter.counts, vocabulary), word);
  }

  tokenize(text: string): string[] {
    return (this.lowercase ? text.toLowerCase() : text).match(WordTokenizer.pattern) ?? [];
  }

  protected join(tokens: string[]): string {
    return tokens.join(' ');
  }

  toJSON(): TokenizerJSON {
    return { type: 'word', lowercase: this.lowercase, vocabulary: this.vocabulary.toJSON() };
  }
}

/** The strings of `texts` (a string, or an iterable of strings), each checked as it comes. */
function* texts_(argument: string, texts: unknown): Generator<string> {
  if (typeof texts === 'string') {
    yield texts;
    return;
  }
  if (texts === null || typeof texts !== 'object' || !(Symbol.iterator in texts)) {
    invalidArgument(argument, texts, 'a string or an iterable of strings');
  }
  let i = 0;
  for (const text of texts as Iterable<unknown>) {
    if (typeof text !== 'string') invalidArgument(`${argument}[${i}]`, text, 'a string');
    yield text;
    i++;
  }
}

/** The strings of an async iterable, each checked as it comes. */
async function* asyncTexts(argument: string, texts: unknown): AsyncGenerator<string> {
  if (texts === null || typeof texts !== 'object' || !(Symbol.asyncIterator in texts)) {
    invalidArgument(
      argument,
      texts,
      'an async iterable of strings (streamText(source), streamLines(source))',
    );
  }
  let i = 0;
  for await (const text of texts as AsyncIterable<unknown>) {
    if (typeof text !== 'string') invalidArgument(`${argument}[${i}]`, text, 'a string');
    yield text;
    i++;
  }
}

/** A word tokenizer's `fit` options, checked and split into the vocabulary's and the tokenizer's. */
function wordFitOptions(
  argument: string,
  options: VocabularyOptions & WordTokenizerOptions,
): { vocabulary: VocabularyOptions; word: WordTokenizerOptions } {
  checkOptions(argument, options, [...vocabularyOptionKeys, 'lowercase']);
  const { lowercase, ...vocabulary } = options;
  return { vocabulary, word: lowercase === undefined ? {} : { lowercase } };
}

export type Tokenizer = CharTokenizer | WordTokenizer;

/** Rebuilds a tokenizer from `toJSON()` output or its JSON string. */
export function tokenizerFromJSON(json: TokenizerJSON | string): Tokenizer {
  const parsed = parseJson<TokenizerJSON>('json', json, 'a tokenizer as written by toJSON()');
  if (parsed?.type !== 'char' && parsed?.type !== 'word') {
    invalidArgument('json.type', parsed?.type, '"char" or "word"');
  }
  if (typeof parsed.vocabulary !== 'object' || parsed.vocabulary === null) {
    invalidArgument('json.vocabulary', parsed.vocabulary, '{ tokens, specialTokens } as written by toJSON()');
  }
  const vocabulary = Vocabulary.fromJSON(parsed.vocabulary);
  if (parsed.type === 'char') return new CharTokenizer(vocabulary);
  return new WordTokenizer(vocabulary, { lowercase: parsed.lowercase ?? true });
}

/** Writes a tokenizer (vocabulary included) as JSON to a file (Node only). */
export async function saveTokenizer(tokenizer: Tokenizer, path: string | URL): Promise<void> {
  const fs = await import('node:fs/promises');
  await fs.writeFile(path, tokenizer.serialize(), 'utf8');
}

/** Reads a tokenizer saved by `saveTokenizer` from a path, URL, `Blob` or stream. */
export async function loadTokenizer(source: DataSource): Promise<Tokenizer> {
  return tokenizerFromJSON(await loadText(source));
}
