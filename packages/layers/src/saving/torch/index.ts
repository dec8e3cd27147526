/** PyTorch weight interop: state dicts from `.safetensors` and `torch.save` files, module-shaped layers. */
export {
  type LoadTorchOptions,
  loadTorchStateDict,
  loadTorchWeights,
  parseTorchWeights,
  readTorchWeights,
  type SaveTorchOptions,
  saveTorchWeights,
  type TorchWeightsOptions,
  type TorchWeightsSource,
  torchStateDict,
} from './load-save.js';
export type { TorchLayerMapping, TorchPiece, TorchWeightBinding } from './mapping.js';
export { linearBindings, recurrentBindings, weightNamed } from './mappings.js';
export {
  type TorchBatchNorm1dArgs,
  type TorchEmbeddingArgs,
  type TorchLinearArgs,
  type TorchRecurrentArgs,
  type TorchRNNArgs,
  torchBatchNorm1d,
  torchEmbedding,
  torchGRU,
  torchLinear,
  torchLSTM,
  torchRNN,
} from './modules.js';
export { listTorchLayerClasses, registerTorchLayer, unregisterTorchLayer } from './registry.js';
export {
  readSafetensors,
  type SafetensorsContents,
  type WriteSafetensorsOptions,
  writeSafetensors,
} from './safetensors.js';
export type { StateDict, TorchDtype, TorchTensor } from './state-dict.js';
export { readTorchZip } from './torch-zip.js';
