/**
 * A PyTorch state dict on the host: tensor names (`lstm.weight_ih_l0`) to shaped values, as `safetensors` and the zip
 * files of `torch.save` hold them. Values are kept as float64 whatever the stored dtype, so that float64 weights pass
 * through unchanged and every narrower float (F32, F16, BF16) is exact.
 */

/** The element types seqmodel reads (safetensors' codes); `F32` and `F64` are also written. */
export type TorchDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

export interface TorchTensor {
  /** The stored element type (values are float64 here whatever it is). */
  readonly dtype: TorchDtype;
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: Float64Array;
}

/** Tensor names to tensors, in file order. */
export type StateDict = ReadonlyMap<string, TorchTensor>;
