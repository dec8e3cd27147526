/** Decoding for every model kind: a step decoder with caches and carried states, and greedy, beam and sampled generation. */
export {
  type BeamSearchStrategy,
  beamSearch,
  type DecodingStrategy,
  type Generated,
  type GenerateOptions,
  type GreedyStrategy,
  generate,
  greedy,
  type SamplingStrategy,
  sampleToken,
  sampling,
} from './generate.js';
export {
  DecoderState,
  type OutputKind,
  StepDecoder,
  type StepDecoderOptions,
  type StepResult,
  stepDecoder,
} from './step-decoder.js';
