import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMobyDick } from '../real-data.js';
import {
  CharTokenizer,
  loadTokenizer,
  saveTokenizer,
  tokenizerFromJSON,
  WordTokenizer,
} from './tokenizer.js';

describe('CharTokenizer', () => {
  it('round-trips text exactly, astral characters included', () => {
    const text = 'The whale 🐋 — “Ahab”\nsaid: naïve!';
    const tok = CharTokenizer.fit(text);
    const ids = tok.encode(text);
    expect(ids).toBeInstanceOf(Int32Array);
    expect(ids.length).toBe(Array.from(text).length);
    expect(tok.decode(ids)).toBe(text);
  });

  it('round-trips the shipped corpus', async () => {
    const text = await loadMobyDick();
    const tok = CharTokenizer.fit(text);
    expect(tok.decode(tok.encode(text))).toBe(text);
    expect(tok.vocabularySize).toBeLessThan(120);
  });

  it('adds BOS/EOS on request and skips special tokens when decoding', () => {
    const tok = CharTokenizer.fit('abc');
    const ids = tok.encode('cab', { addBos: true, addEos: true });
    expect(Array.from(ids)).toEqual([
      2,
      tok.vocabulary.idOf('c'),
      tok.vocabulary.idOf('a'),
      tok.vocabulary.idOf('b'),
      3,
    ]);
    expect(tok.decode([0, ...ids, 0])).toBe('cab');
    expect(tok.decode(ids, { skipSpecial: false })).toBe('<bos>cab<eos>');
    expect(tok.decode(tok.encode('abz'))).toBe('ab<unk>');
    const bare = CharTokenizer.fit('abc', { specialTokens: { bos: null, unk: null } });
    expect(() => bare.encode('a', { addBos: true })).toThrow('addBos: the vocabulary has no BOS token');
    expect(() => bare.encode('z')).toThrow('received "z" (the vocabulary has no UNK token');
  });

  it('builds the same vocabulary from a stream of chunks', async () => {
    const text = 'streamed text, in pieces';
    async function* chunks() {
      for (let i = 0; i < text.length; i += 5) yield text.slice(i, i + 5);
    }
    expect((await CharTokenizer.fitAsync(chunks())).vocabulary.tokens).toEqual(
      CharTokenizer.fit(text).vocabulary.tokens,
    );
  });
});

describe('WordTokenizer', () => {
  const corpus = ['Call me Ishmael.', "Don't call me late; call me Ishmael!"];

  it('splits words and punctuation, lower-cased by default', () => {
    const tok = WordTokenizer.fit(corpus);
    expect(tok.tokenize("Don't call me, Ishmael!")).toEqual(["don't", 'call', 'me', ',', 'ishmael', '!']);
    expect(tok.vocabulary.tokens.slice(4, 7)).toEqual(['call', 'me', 'ishmael']);
    expect(new WordTokenizer(tok.vocabulary, { lowercase: false }).tokenize('Call')).toEqual(['Call']);
  });

  it('round-trips: decode(encode(t)) is the tokens joined by spaces, encode(decode(ids)) gives the ids', () => {
    const tok = WordTokenizer.fit(corpus);
    for (const text of corpus) {
      const ids = tok.encode(text);
      expect(tok.decode(ids)).toBe(tok.tokenize(text).join(' '));
      expect(Array.from(tok.encode(tok.decode(ids)))).toEqual(Array.from(ids));
    }
    expect(tok.decode(tok.encode('call the whale'))).toBe('call <unk> <unk>');
  });

  it('applies minCount and maxSize', () => {
    const tok = WordTokenizer.fit(corpus, { minCount: 2 });
    expect(tok.vocabulary.tokens.slice(4)).toEqual(['call', 'me', 'ishmael']);
    expect(WordTokenizer.fit(corpus, { maxSize: 5 }).vocabularySize).toBe(5);
  });

  it('builds the same vocabulary from streamed lines', async () => {
    async function* lines() {
      yield* corpus;
    }
    expect((await WordTokenizer.fitAsync(lines())).vocabulary.tokens).toEqual(
      WordTokenizer.fit(corpus).vocabulary.tokens,
    );
  });
});

describe('tokenizer save and load', () => {
  it('restores both kinds from JSON and from a file', async () => {
    const word = WordTokenizer.fit(['Hello there, hello'], { specialTokens: { bos: null } });
    const char = CharTokenizer.fit('hello');
    const w2 = tokenizerFromJSON(word.serialize());
    expect(w2).toBeInstanceOf(WordTokenizer);
    expect(Array.from(w2.encode('hello there'))).toEqual(Array.from(word.encode('hello there')));
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-tok-'));
    try {
      await saveTokenizer(char, join(dir, 'char.json'));
      const c2 = await loadTokenizer(join(dir, 'char.json'));
      expect(c2).toBeInstanceOf(CharTokenizer);
      expect(c2.decode(c2.encode('hello'))).toBe('hello');
    } finally {
      await rm(dir, { recursive: true });
    }
    expect(() => tokenizerFromJSON({ type: 'bpe' } as never)).toThrow(
      'json.type: expected "char" or "word", received "bpe"',
    );
  });
});
