/**
 * An encoder-decoder as three functional models over one set of layers: `model` `[source, previous] → logits` for
 * training with teacher forcing, `encoder` `source → [encoded, ...states]`, and `decoder`
 * `[previous, encoded, ...states] → logits`, which the decoding module runs one token at a time after one encoder
 * pass. The builders (`transformerEncoderDecoder`, `rnnEncoderDecoder`) make them; training `model` trains all three.
 */
import type { Backend } from '@seqmodel/core';
import type { Functional } from '@seqmodel/layers';

export interface EncoderDecoderParts<T> {
  readonly model: Functional<T>;
  readonly encoder: Functional<T>;
  readonly decoder: Functional<T>;
  /** `[source, previous] → attention weights [batch, Tt, Ts]`, where the decoder exposes them. */
  readonly attention?: Functional<T> | undefined;
}

export class EncoderDecoderModel<T> {
  /** `[source, previous] → logits`: compile and fit this one. */
  readonly model: Functional<T>;
  /** `source → [encoded, ...states]` (the encoder's outputs, with the source's padding mask). */
  readonly encoder: Functional<T>;
  /** `[previous, encoded, ...states] → logits`, the same layers as `model`'s decoder. */
  readonly decoder: Functional<T>;
  /** `[source, previous] → attention weights [batch, Tt, Ts]` of the decoder, where it has them. */
  readonly attention: Functional<T> | undefined;

  constructor(parts: EncoderDecoderParts<T>) {
    this.model = parts.model;
    this.encoder = parts.encoder;
    this.decoder = parts.decoder;
    this.attention = parts.attention;
  }

  get backend(): Backend<T> {
    return this.model.backend;
  }

  /** Frees the weights (shared by the three models). */
  dispose(): void {
    this.model.dispose();
  }
}
