import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVocabulary, saveVocabulary, TokenCounter, Vocabulary } from './vocabulary.js';

const tokens = 'b a c a b a d d e'.split(' ');

describe('Vocabulary', () => {
  it('puts special tokens first, then tokens by count, ties in code-point order', () => {
    const v = Vocabulary.build(tokens);
    expect(v.tokens).toEqual(['<pad>', '<unk>', '<bos>', '<eos>', 'a', 'b', 'd', 'c', 'e']);
    expect([v.padId, v.unkId, v.bosId, v.eosId]).toEqual([0, 1, 2, 3]);
    expect(v.idOf('d')).toBe(6);
    expect(v.tokenOf(7)).toBe('c');
    expect(v.idOf('zzz')).toBe(1);
  });

  it('applies minCount and maxSize (special tokens count towards maxSize)', () => {
    expect(Vocabulary.build(tokens, { minCount: 2 }).tokens.slice(4)).toEqual(['a', 'b', 'd']);
    expect(Vocabulary.build(tokens, { maxSize: 6 }).tokens).toEqual([
      '<pad>',
      '<unk>',
      '<bos>',
      '<eos>',
      'a',
      'b',
    ]);
    expect(() => Vocabulary.build(tokens, { maxSize: 3 })).toThrow(
      'maxSize: expected at least 4 (the special tokens)',
    );
  });

  it('takes custom or no special tokens', () => {
    const v = Vocabulary.build(tokens, {
      specialTokens: { pad: '[PAD]', unk: null, bos: null, eos: '[SEP]' },
    });
    expect(v.tokens.slice(0, 3)).toEqual(['[PAD]', '[SEP]', 'a']);
    expect(v.unkId).toBeUndefined();
    expect(v.eosId).toBe(1);
  });

  it('rejects an unknown token when there is no UNK token, and unknown ids', () => {
    const v = Vocabulary.build(tokens, { specialTokens: { unk: null } });
    expect(() => v.idOf('zzz')).toThrow(
      'token: expected a token of the vocabulary, received "zzz" (the vocabulary has no UNK token to stand for unknown tokens)',
    );
    expect(() => v.tokenOf(99)).toThrow('id: expected an id in [0, 8), received 99');
  });

  it('gives the same vocabulary from counts gathered in pieces', () => {
    const counter = new TokenCounter().add(tokens.slice(0, 4)).add(tokens.slice(4));
    expect(Vocabulary.fromCounts(counter.counts).tokens).toEqual(Vocabulary.build(tokens).tokens);
  });

  it('round-trips through JSON and through a file', async () => {
    const v = Vocabulary.build(tokens, { specialTokens: { bos: null } });
    const back = Vocabulary.fromJSON(JSON.stringify(v.toJSON()));
    expect(back.tokens).toEqual(v.tokens);
    expect(back.specialTokens).toEqual(v.specialTokens);
    const dir = await mkdtemp(join(tmpdir(), 'seqmodel-vocab-'));
    try {
      await saveVocabulary(v, join(dir, 'vocab.json'));
      const loaded = await loadVocabulary(join(dir, 'vocab.json'));
      expect(loaded.tokens).toEqual(v.tokens);
      expect(loaded.bosId).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true });
    }
    expect(() => new Vocabulary(['a', 'a'])).toThrow(
      'tokens[1]: expected distinct tokens (this one repeats)',
    );
  });
});
