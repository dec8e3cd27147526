/**
 * The zip files of `torch.save(module.state_dict(), path)` (PyTorch 1.6 and later): an uncompressed zip holding
 * `<name>/data.pkl`, a pickle of the state dict whose tensors refer to their storages by persistent id, and each
 * storage's raw little-endian bytes as `<name>/data/<key>`. Pickles can run arbitrary code, so this is not an
 * unpickler: it interprets only the opcodes that pickle protocol 2 uses for a dict of tensors, and builds only the
 * objects a state dict holds (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2` / `_rebuild_parameter`,
 * typed storages). Anything else (another global, a module, an optimizer state) is refused with its name.
 */
import { SeqmodelError, sizeOfShape } from '@seqmodel/core';
import { DTYPE_BYTES, decodeElements } from './safetensors.js';
import type { StateDict, TorchDtype, TorchTensor } from './state-dict.js';

const STORAGE_DTYPES: Readonly<Record<string, TorchDtype>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** Whether `bytes` start as a zip file does (`PK\x03\x04`). */
export function isTorchZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

/** The stored (uncompressed) entries of a zip file, by name. */
function zipEntries(bytes: Uint8Array, fail: (what: string) => never): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) fail('no end of central directory (truncated?)');
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff)
    fail('zip64 archives (over 4 GiB or 65535 entries) are not supported');
  const decoder = new TextDecoder();
  const entries = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50)
      fail(`central directory entry ${i} is damaged`);
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0)
      fail(`entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`);
    if (size === 0xffffffff || local === 0xffffffff) fail('zip64 archives are not supported');
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      fail(`entry ${name} has no local header`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + size > bytes.length) fail(`entry ${name} runs past the end of the file`);
    entries.set(name, bytes.subarray(start, start + size));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

interface Global {
  readonly global: string;
}
interface Storage {
  readonly storage: Uint8Array;
  readonly dtype: TorchDtype;
}
const MARK = Symbol('mark');

const ALLOWED_GLOBALS = new Set([
  'collections OrderedDict',
  'torch._utils _rebuild_tensor_v2',
  'torch._utils _rebuild_parameter',
  ...Object.keys(STORAGE_DTYPES).map((s) => `torch ${s}`),
]);

/** A tensor from its storage, offset, sizes and strides (in elements), as `_rebuild_tensor_v2` makes it. */
function rebuildTensor(args: unknown[], fail: (what: string) => never): TorchTensor {
  const [storage, offset, size, stride] = args as [Storage, number, number[], number[]];
  if (
    typeof storage !== 'object' ||
    storage === null ||
    !('storage' in storage) ||
    !Number.isSafeInteger(offset) ||
    !Array.isArray(size) ||
    !Array.isArray(stride) ||
    size.length !== stride.length
  ) {
    fail('a tensor is not (storage, offset, size, stride, ...)');
  }
  const elementBytes = DTYPE_BYTES[storage.dtype];
  const available = storage.storage.length / elementBytes;
  const count = sizeOfShape(size);
  const view = new DataView(storage.storage.buffer, storage.storage.byteOffset, storage.storage.byteLength);
  const all = decodeElements(storage.dtype, view, 0, available);
  const data = new Float64Array(count);
  const index = size.map(() => 0);
  for (let i = 0; i < count; i++) {
    let source = offset;
    for (let a = 0; a < size.length; a++) source += index[a]! * stride[a]!;
    if (source < 0 || source >= available)
      fail(`a tensor of shape [${size.join(', ')}] reads past its storage`);
    data[i] = all[source]!;
    for (let a = size.length - 1; a >= 0; a--) {
      if (++index[a]! < size[a]!) break;
      index[a] = 0;
    }
  }
  return { dtype: storage.dtype, shape: size, data };
}

/** Runs the pickle `program` with the restricted set of opcodes and objects; returns the state dict. */
function unpickle(
  program: Uint8Array,
  storages: (key: string, dtype: TorchDtype) => Uint8Array,
  fail: (what: string) => never,
): Map<unknown, unknown> {
  const view = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let at = 0;
  const need = (n: number) => {
    if (at + n > program.length) fail('data.pkl ends in the middle of an opcode');
  };
  const line = (): string => {
    const end = program.indexOf(0x0a, at);
    if (end < 0) fail('data.pkl: unterminated GLOBAL');
    const text = decoder.decode(program.subarray(at, end));
    at = end + 1;
    return text;
  };
  const popMark = (): unknown[] => {
    const mark = stack.lastIndexOf(MARK);
    if (mark < 0) fail('data.pkl: no MARK');
    const items = stack.splice(mark);
    items.shift();
    return items;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('data.pkl: stack underflow');
    return stack[stack.length - 1];
  };
  const pop = (): unknown => {
    top();
    return stack.pop();
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof Map)) fail('data.pkl: SETITEM on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) (dict as Map<unknown, unknown>).set(items[i], items[i + 1]);
  };
  for (;;) {
    need(1);
    const op = program[at++]!;
    switch (op) {
      case 0x80: // PROTO
        need(1);
        at += 1;
        break;
      case 0x2e: // STOP
        if (!(top() instanceof Map)) fail('data.pkl does not hold a dict (is it a state_dict()?)');
        return stack.pop() as Map<unknown, unknown>;
      case 0x63: {
        // GLOBAL
        const name = `${line()} ${line()}`;
        if (!ALLOWED_GLOBALS.has(name)) {
          fail(
            `data.pkl refers to ${name.replace(' ', '.')}; only state dicts of tensors are read (save module.state_dict(), not the module)`,
          );
        }
        stack.push({ global: name } satisfies Global);
        break;
      }
      case 0x71: // BINPUT
        need(1);
        memo.set(program[at++]!, top());
        break;
      case 0x72: // LONG_BINPUT
        need(4);
        memo.set(view.getUint32(at, true), top());
        at += 4;
        break;
      case 0x68: // BINGET
        need(1);
        if (!memo.has(program[at]!)) fail('data.pkl: BINGET of an unknown memo entry');
        stack.push(memo.get(program[at++]!));
        break;
      case 0x6a: // LONG_BINGET
        need(4);
        if (!memo.has(view.getUint32(at, true))) fail('data.pkl: LONG_BINGET of an unknown memo entry');
        stack.push(memo.get(view.getUint32(at, true)));
        at += 4;
        break;
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x61: {
        // APPEND
        const item = pop();
        (top() as unknown[]).push(item);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (top() as unknown[]).push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x58: {
        // BINUNICODE
        need(4);
        const n = view.getUint32(at, true);
        at += 4;
        need(n);
        stack.push(decoder.decode(program.subarray(at, at + n)));
        at += n;
        break;
      }
      case 0x4b: // BININT1
        need(1);
        stack.push(program[at++]!);
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(view.getUint16(at, true));
        at += 2;
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(view.getInt32(at, true));
        at += 4;
        break;
      case 0x8a: {
        // LONG1
        need(1);
        const n = program[at++]!;
        need(n);
        let value = 0n;
        for (let i = n - 1; i >= 0; i--) value = (value << 8n) | BigInt(program[at + i]!);
        if (n > 0 && program[at + n - 1]! & 0x80) value -= 1n << BigInt(8 * n);
        at += n;
        stack.push(Number(value));
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        stack.push(view.getFloat64(at, false));
        at += 8;
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x51: {
        // BINPERSID: ('storage', storage type, key, location, numel)
        const id = pop() as unknown[];
        const type = (id?.[1] as Global | undefined)?.global?.split(' ')[1];
        const dtype = type === undefined ? undefined : STORAGE_DTYPES[type];
        if (!Array.isArray(id) || id[0] !== 'storage' || dtype === undefined || typeof id[2] !== 'string') {
          fail('data.pkl: a persistent id that is not a typed storage');
        }
        stack.push({ storage: storages(id[2] as string, dtype as TorchDtype), dtype } satisfies Storage);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop() as unknown[];
        const callable = (pop() as Global | undefined)?.global;
        if (callable === 'collections OrderedDict') stack.push(new Map());
        else if (callable === 'torch._utils _rebuild_tensor_v2') stack.push(rebuildTensor(args, fail));
        else if (callable === 'torch._utils _rebuild_parameter') stack.push(args[0]);
        else fail(`data.pkl calls ${String(callable)}, which a state dict does not`);
        break;
      }
      case 0x62: // BUILD: the OrderedDict's `_metadata` attribute (module versions), not needed.
        pop();
        break;
      default:
        fail(
          `data.pkl uses the pickle opcode 0x${op.toString(16)}, which a state dict saved by torch.save does not`,
        );
    }
  }
}

/**
 * Reads the state dict in the zip file of `torch.save(module.state_dict(), path)`. `source` names it in errors.
 */
export function readTorchZip(bytes: Uint8Array, source = 'torch.save bytes'): StateDict {
  const fail = (what: string): never => {
    throw new SeqmodelError(`${source}: cannot read it as a torch.save file of a state dict: ${what}`);
  };
  const entries = zipEntries(bytes, fail);
  const pickle = [...entries.keys()].find((name) => /^[^/]+\/data\.pkl$/.test(name));
  if (pickle === undefined) fail(`no <name>/data.pkl entry (entries: ${[...entries.keys()].join(', ')})`);
  const root = pickle!.slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${root}byteorder`);
  if (byteorder !== undefined && new TextDecoder().decode(byteorder) !== 'little') {
    fail('its tensors are big-endian');
  }
  const dict = unpickle(
    entries.get(pickle!)!,
    (key, dtype) => {
      const data = entries.get(`${root}data/${key}`);
      if (data === undefined) fail(`no entry ${root}data/${key} for a storage`);
      if (data!.length % DTYPE_BYTES[dtype] !== 0)
        fail(`the storage ${key} is not a whole number of ${dtype}`);
      return data!;
    },
    fail,
  );
  const out = new Map<string, TorchTensor>();
  for (const [key, value] of dict) {
    if (typeof key !== 'string' || typeof value !== 'object' || value === null || !('data' in value)) {
      fail(`the entry ${JSON.stringify(key)} is not a tensor`);
    }
    out.set(key as string, value as TorchTensor);
  }
  return out;
}
