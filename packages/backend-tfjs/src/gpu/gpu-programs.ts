/**
 * The step programs of the GPU sequence kernels, for one cell and one run configuration. Every program writes a
 * `[batch, fields * units]` record (one float per (b, field, j)); its index arguments (`tau`, the time index read,
 * and `s`, the processing step) are uniforms, so each program compiles once per shape and runs once per step.
 *
 * - forward step: from the previous record (states), the projection and the recurrent kernel, the new record: new
 *   states, `out` (the output, only with a mask: a masked step repeats the previous output), and when training the
 *   quantities the backward pass reads. Each field computes only the recurrent products it depends on.
 * - backward `dh` (one per step): d loss / d h after the step before, from the later step's backward record:
 *   (Σ_g dRec_g · U_gᵀ + direct) times the recurrent mask, or passed through a masked step.
 * - backward step: the later records' gradients and this step's forward record give the gate gradients, the previous
 *   states' gradients and the output-gradient carry (elementwise: no products).
 * - collect: fields of up to `maxInputs` records side by side, to build whole-sequence tensors.
 */
import type { BackwardTerms, GpuCell, GradientRef, QuantityTerms } from './gpu-cells.js';
import { activationFunctions, type ShaderActivationName } from './shader-activations.js';
import type { ProgramInput, ShaderLang, StepProgram } from './shader-lang.js';

export interface RunShape {
  readonly batch: number;
  readonly time: number;
  readonly units: number;
  readonly activation: ShaderActivationName;
  readonly recurrentActivation: ShaderActivationName;
  readonly hasMask: boolean;
  readonly hasRecurrentMask: boolean;
  readonly hasRecurrentBias: boolean;
  readonly returnSequences: boolean;
  readonly zeroMaskedOutputs: boolean;
  readonly training: boolean;
}

/** The forward record's fields: the new states, `out` with a mask, then what the backward pass reads. */
export function forwardFields(cell: GpuCell, shape: RunShape): string[] {
  const fields = [...cell.newStates];
  if (shape.hasMask) fields.push('out');
  if (shape.training) for (const q of cell.saved) if (!fields.includes(q)) fields.push(q);
  return fields;
}

/** The backward record's fields: the gradients it holds, of the previous states, then `carry`. */
export function backwardFields(cell: GpuCell): string[] {
  const fields: string[] = [];
  const add = (name: string) => {
    if (!fields.includes(name)) fields.push(name);
  };
  const inD = (refs: readonly GradientRef[]) => refs.filter((r) => r.record === 'D').map((r) => r.name);
  inD(cell.projectionGradient).forEach(add);
  inD(cell.recurrentGradient).forEach(add);
  cell.previousStateGradients.forEach(add);
  inD(cell.direct.map((x) => x.gradient)).forEach(add);
  add('carry');
  return fields;
}

export function fieldIndex(fields: readonly string[], name: string, what: string): number {
  const i = fields.indexOf(name);
  if (i < 0) throw new Error(`GPU sequence kernel: ${what} has no field ${name}`);
  return i;
}

/** The quantities `wanted` depend on, themselves included, in the order of `all`. */
function closure<Q extends { name: string; deps: readonly string[] }>(
  all: readonly Q[],
  wanted: string[],
): Q[] {
  const needed = new Set<string>();
  const visit = (name: string) => {
    if (needed.has(name)) return;
    const q = all.find((x) => x.name === name);
    if (q === undefined) return;
    needed.add(name);
    q.deps.forEach(visit);
  };
  wanted.forEach(visit);
  return all.filter((q) => needed.has(q.name));
}

function input(name: string, rows: number, cols: number): ProgramInput {
  return { name, rows, cols };
}

function present(...inputs: (ProgramInput | undefined)[]): ProgramInput[] {
  return inputs.filter((x): x is ProgramInput => x !== undefined);
}

/**
 * The step mask (`[batch, time]`) and the recurrent dropout mask (`[batch, units]`) as the programs read them. With
 * both present they travel as one input `[batch, time + units]`, step mask first (the runner's `maskTensors`
 * makes it): WebGPU guarantees a program only 8 storage buffers, and GRU's backward programs would read 9.
 */
export interface Masks {
  readonly inputs: readonly ProgramInput[];
  readonly step?: ProgramInput;
  readonly recurrent?: { readonly input: ProgramInput; readonly offset: number };
}

export function masksOf(shape: RunShape): Masks {
  const { batch, time, units } = shape;
  if (shape.hasMask && shape.hasRecurrentMask) {
    const both = input('masks', batch, time + units);
    return { inputs: [both], step: both, recurrent: { input: both, offset: time } };
  }
  const step = shape.hasMask ? input('mask', batch, time) : undefined;
  const rmask = shape.hasRecurrentMask ? input('rmask', batch, units) : undefined;
  return {
    inputs: present(step, rmask),
    ...(step ? { step } : {}),
    ...(rmask ? { recurrent: { input: rmask, offset: 0 } } : {}),
  };
}

/** `value` (a float expression of unit `m` in batch row `b`) times the recurrent dropout mask, where there is one. */
function timesRecurrentMask(lang: ShaderLang, masks: Masks, value: string, m: string): string {
  const r = masks.recurrent;
  if (r === undefined) return value;
  return `${value} * ${lang.read(r.input, 'b', r.offset > 0 ? `${r.offset} + ${m}` : m)}`;
}

/** `if (field == k) { ... }` blocks, one per field, each computing `result`. */
function fieldBlocks(fields: readonly string[], block: (field: string) => string): string {
  return fields.map((f, k) => `if (field == ${k}) {\n${block(f)}\n}`).join('\n');
}

/** The step's validity (1.0 or 0.0) at time index `tau` (an integer expression). */
function validity(lang: ShaderLang, mask: ProgramInput | undefined, tau: string): string {
  return mask ? lang.select(`${lang.read(mask, 'b', tau)} != 0.0`, '1.0', '0.0') : '1.0';
}

function activationList(shape: RunShape): ShaderActivationName[] {
  return [...new Set([shape.activation, shape.recurrentActivation])];
}

/** The first lines of every step program: the field and unit of the output column, the step's validity. */
function header(lang: ShaderLang, units: number, mask: ProgramInput | undefined, tau: string): string[] {
  return [
    lang.letInt('field', `col / ${units}`),
    lang.letInt('j', `col - field * ${units}`),
    lang.let('valid_f', validity(lang, mask, tau)),
    lang.variable('result', '0.0'),
  ];
}

/** The inputs and terms shared by the forward stages (`pre` and the main one). */
function forwardTerms(
  cell: GpuCell,
  shape: RunShape,
  lang: ShaderLang,
  inputs: ForwardInputs,
): QuantityTerms {
  const { units } = shape;
  const gu = cell.gates * units;
  const { prev, proj, rb, masks, aux } = inputs;
  const tau = lang.uniform('tau');
  const hTilde = (m: string) => timesRecurrentMask(lang, masks, lang.read(prev, 'b', m), m);
  return {
    projection: (g) => lang.read(proj, 'b', `${tau} * ${gu} + ${g * units} + j`),
    recurrent: (g) =>
      rb
        ? `(recurrent(b, ${g * units} + j) + ${lang.read(rb, '0', `${g * units} + j`)})`
        : `recurrent(b, ${g * units} + j)`,
    previousState: (k) => lang.read(prev, 'b', `${k * units} + j`),
    previousInput: () => hTilde('j'),
    q: (name) => `q_${name}`,
    act: (which, x) => `act_${shape[which]}(${x})`,
    aux: (name) =>
      lang.read(aux!, 'b', `${fieldIndex(cell.pre!.fields, name, 'the auxiliary record') * units} + j`),
    auxRecurrent: (g) => `aux_recurrent(b, ${g * units} + j)`,
  };
}

interface ForwardInputs {
  readonly prev: ProgramInput;
  readonly proj: ProgramInput;
  readonly rk: ProgramInput;
  readonly aux?: ProgramInput;
  readonly rb?: ProgramInput;
  readonly masks: Masks;
}

function forwardInputs(cell: GpuCell, shape: RunShape, withAux: boolean): ForwardInputs {
  const { batch, time, units } = shape;
  const gu = cell.gates * units;
  return {
    prev: input('prev', batch, forwardFields(cell, shape).length * units),
    proj: input('proj', batch, time * gu),
    rk: input('rk', units, gu),
    ...(withAux && cell.pre ? { aux: input('aux', batch, cell.pre.fields.length * units) } : {}),
    ...(shape.hasRecurrentBias ? { rb: input('rb', 1, gu) } : {}),
    masks: masksOf(shape),
  };
}

function forwardFunctions(cell: GpuCell, shape: RunShape, lang: ShaderLang, inputs: ForwardInputs): string {
  const { units } = shape;
  const { prev, rk, masks, aux } = inputs;
  const hTilde = (m: string) => timesRecurrentMask(lang, masks, lang.read(prev, 'b', m), m);
  const functions = [
    activationFunctions(lang, activationList(shape)),
    lang.sumFunction('recurrent', units, (m) => `${hTilde(m)} * ${lang.read(rk, m, 'col')}`),
  ];
  if (aux && cell.pre) {
    const f = fieldIndex(cell.pre.fields, cell.pre.product.field, 'the auxiliary record');
    functions.push(
      lang.sumFunction(
        'aux_recurrent',
        units,
        (m) => `${lang.read(aux, 'b', `${f * units} + ${m}`)} * ${lang.read(rk, m, 'col')}`,
      ),
    );
  }
  return functions.join('\n');
}

/** The `pre` stage of a cell that has one (GRU without resetAfter). Inputs: prev, proj, rk, then rb and the masks. */
export function preStepProgram(cell: GpuCell, shape: RunShape): StepProgram {
  const pre = cell.pre!;
  const inputs = forwardInputs(cell, shape, false);
  return {
    name: `${cell.cell.name} forward step, first stage`,
    inputs: [...present(inputs.prev, inputs.proj, inputs.rk, inputs.rb), ...inputs.masks.inputs],
    uniforms: ['tau'],
    outputRows: shape.batch,
    outputCols: pre.fields.length * shape.units,
    source(lang) {
      const terms = forwardTerms(cell, shape, lang, inputs);
      const block = (field: string) =>
        [
          ...closure(pre.quantities, [field]).map((q) => lang.let(`q_${q.name}`, q.expr(terms))),
          `result = q_${field};`,
        ].join('\n');
      const body = [
        ...header(lang, shape.units, inputs.masks.step, lang.uniform('tau')),
        fieldBlocks(pre.fields, block),
      ];
      return { functions: forwardFunctions(cell, shape, lang, inputs), body: body.join('\n') };
    },
  };
}

/** The forward step program. Inputs: prev, proj, rk, then aux, rb and the masks where present. */
export function forwardStepProgram(cell: GpuCell, shape: RunShape): StepProgram {
  const { batch, units } = shape;
  const fields = forwardFields(cell, shape);
  const inputs = forwardInputs(cell, shape, true);
  return {
    name: `${cell.cell.name} forward step`,
    inputs: [...present(inputs.prev, inputs.proj, inputs.rk, inputs.aux, inputs.rb), ...inputs.masks.inputs],
    uniforms: ['tau'],
    outputRows: batch,
    outputCols: fields.length * units,
    source(lang) {
      const terms = forwardTerms(cell, shape, lang, inputs);
      const outField = fields.indexOf('out');
      const block = (field: string): string => {
        const wanted = field === 'out' ? cell.newStates[0]! : field;
        const lets = closure(cell.forward, [wanted]).map((q) => lang.let(`q_${q.name}`, q.expr(terms)));
        const k = cell.newStates.indexOf(field);
        let value: string;
        // A masked step keeps the states and repeats the previous output (or outputs zeros).
        if (k >= 0) value = lang.select('valid_f != 0.0', `q_${field}`, terms.previousState(k));
        else if (field === 'out') {
          const previousOut = shape.zeroMaskedOutputs
            ? '0.0'
            : lang.read(inputs.prev, 'b', `${outField * units} + j`);
          value = lang.select('valid_f != 0.0', `q_${wanted}`, previousOut);
        } else value = `q_${field}`;
        return [...lets, `result = ${value};`].join('\n');
      };
      const body = [
        ...header(lang, units, inputs.masks.step, lang.uniform('tau')),
        fieldBlocks(fields, block),
      ];
      return { functions: forwardFunctions(cell, shape, lang, inputs), body: body.join('\n') };
    },
  };
}

/**
 * The backward `dh` program: d loss / d h after step s − 1 from step s's records: its backward record (`dnext`),
 * its post-stage record (`cnext`), its `dh` (`anext`, passed through when step s is masked), its forward and
 * auxiliary records (`cur`, `aux`: the direct terms' factors). Inputs: dnext, anext, rk, then cur, cnext, aux,
 * the masks where present; uniform `tau` is step s's time index.
 */
export function backwardDhProgram(cell: GpuCell, shape: RunShape): StepProgram {
  const { batch, units } = shape;
  const gu = cell.gates * units;
  const bFields = backwardFields(cell);
  const fFields = forwardFields(cell, shape);
  const dnext = input('dnext', batch, bFields.length * units);
  const anext = input('anext', batch, units);
  const rk = input('rk', units, gu);
  const cur = cell.direct.some((x) => x.factor.record === 'F')
    ? input('cur', batch, fFields.length * units)
    : undefined;
  const cnext = cell.post ? input('cnext', batch, cell.post.fields.length * units) : undefined;
  const aux = cell.pre ? input('aux', batch, cell.pre.fields.length * units) : undefined;
  const masks = masksOf(shape);
  return {
    name: `${cell.cell.name} backward dh`,
    inputs: [...present(dnext, anext, rk, cur, cnext, aux), ...masks.inputs],
    uniforms: ['tau'],
    outputRows: batch,
    outputCols: units,
    source(lang) {
      const gradient = (ref: GradientRef, m: string) =>
        ref.record === 'D'
          ? lang.read(dnext, 'b', `${fieldIndex(bFields, ref.name, 'the backward record') * units} + ${m}`)
          : lang.read(
              cnext!,
              'b',
              `${fieldIndex(cell.post!.fields, ref.name, 'the post-stage record') * units} + ${m}`,
            );
      // Σ_u dRec_g[b, u] · U[j, g·units + u], with j passed as `col`.
      const functions = cell.recurrentGradient
        .map((ref, g) =>
          lang.sumFunction(
            `back${g}`,
            units,
            (m) => `${gradient(ref, m)} * ${lang.read(rk, 'col', `${g * units} + ${m}`)}`,
          ),
        )
        .join('\n');
      const sums = cell.recurrentGradient.map((_, g) => `back${g}(b, j)`);
      for (const { gradient: ref, factor } of cell.direct) {
        const f =
          factor.record === 'F'
            ? lang.read(cur!, 'b', `${fieldIndex(fFields, factor.name, 'the forward record') * units} + j`)
            : lang.read(
                aux!,
                'b',
                `${fieldIndex(cell.pre!.fields, factor.name, 'the auxiliary record') * units} + j`,
              );
        sums.push(`${gradient(ref, 'j')} * ${f}`);
      }
      const dTilde = sums.join(' + ');
      const through = timesRecurrentMask(lang, masks, masks.recurrent ? `(${dTilde})` : dTilde, 'j');
      const body = [
        lang.letInt('j', 'col'),
        lang.let('valid_f', validity(lang, masks.step, lang.uniform('tau'))),
        lang.variable('result', lang.read(anext, 'b', 'j')),
        `if (valid_f != 0.0) {\nresult = ${through};\n}`,
      ].join('\n');
      return { functions, body };
    },
  };
}

interface BackwardInputs {
  readonly prev: ProgramInput;
  readonly aux?: ProgramInput;
  readonly masks: Masks;
}

function backwardTerms(
  cell: GpuCell,
  shape: RunShape,
  lang: ShaderLang,
  inputs: BackwardInputs & { readonly cur?: ProgramInput; readonly dnext?: ProgramInput },
): BackwardTerms {
  const { units } = shape;
  const bFields = backwardFields(cell);
  const fFields = forwardFields(cell, shape);
  const { prev, aux, masks, cur, dnext } = inputs;
  const previousState = (k: number) => lang.read(prev, 'b', `${k * units} + j`);
  return {
    dNew: () => 'd_new',
    dStateAfter: (k) =>
      lang.read(
        dnext!,
        'b',
        `${fieldIndex(bFields, cell.previousStateGradients[k - 1]!, 'the backward record') * units} + j`,
      ),
    saved: (name) => lang.read(cur!, 'b', `${fieldIndex(fFields, name, 'the forward record') * units} + j`),
    previousState,
    previousInput: () => timesRecurrentMask(lang, masks, previousState(0), 'j'),
    q: (name) => `q_${name}`,
    act: (which, x) => `act_${shape[which]}(${x})`,
    dact: (which, y) => `dact_${shape[which]}(${y})`,
    aux: (name) =>
      lang.read(aux!, 'b', `${fieldIndex(cell.pre!.fields, name, 'the auxiliary record') * units} + j`),
    transposedProduct: (field, gate) => `transposed_${field}_${gate}(b, j)`,
  };
}

/**
 * The backward step program: this step's backward record from `dh` (d loss / d h after the step, without the
 * output's gradient), the later step's backward record (`dnext`: state gradients and the carry), this step's and the
 * previous forward records and auxiliary record, and the outputs' gradient. Inputs: dh, dnext, cur, prev, then aux,
 * dout (with returnSequences) and the masks where present; uniforms `tau` and `s`.
 */
export function backwardStepProgram(cell: GpuCell, shape: RunShape): StepProgram {
  const { batch, time, units } = shape;
  const bFields = backwardFields(cell);
  const fFields = forwardFields(cell, shape);
  const dh = input('dh', batch, units);
  const dnext = input('dnext', batch, bFields.length * units);
  const cur = input('cur', batch, fFields.length * units);
  const prev = input('prev', batch, fFields.length * units);
  const aux = cell.pre ? input('aux', batch, cell.pre.fields.length * units) : undefined;
  const dout = shape.returnSequences ? input('dout', batch, time * units) : undefined;
  const masks = masksOf(shape);
  return {
    name: `${cell.cell.name} backward step`,
    inputs: [...present(dh, dnext, cur, prev, aux, dout), ...masks.inputs],
    uniforms: ['tau', 's'],
    outputRows: batch,
    outputCols: bFields.length * units,
    source(lang) {
      const s = lang.uniform('s');
      const terms = backwardTerms(cell, shape, lang, { prev, aux, masks, cur, dnext });
      const carryField = fieldIndex(bFields, 'carry', 'the backward record');
      const carried = lang.read(dnext, 'b', `${carryField * units} + j`);
      const outputGradient = dout ? `${carried} + ${lang.read(dout, 'b', `${s} * ${units} + j`)}` : carried;
      const block = (name: string): string => {
        if (name === 'carry') {
          return `result = ${lang.select('valid_f != 0.0', '0.0', shape.zeroMaskedOutputs ? '0.0' : 'g_out')};`;
        }
        const lets = closure(cell.backward, [name]).map((q) => lang.let(`q_${q.name}`, q.expr(terms)));
        const k = cell.previousStateGradients.indexOf(name);
        // A masked step passes the states' gradients through and has no gate gradients.
        const invalid = k >= 0 ? terms.dStateAfter(k + 1) : '0.0';
        return [...lets, `result = ${lang.select('valid_f != 0.0', `q_${name}`, invalid)};`].join('\n');
      };
      const body = [
        ...header(lang, units, masks.step, lang.uniform('tau')),
        lang.let('g_out', outputGradient),
        lang.let('d_new', `${lang.read(dh, 'b', 'j')} + g_out`),
        fieldBlocks(bFields, block),
      ].join('\n');
      return { functions: activationFunctions(lang, activationList(shape)), body };
    },
  };
}

/**
 * The `post` backward stage of a cell that has one: its record from this step's backward record (`dcur`), the
 * recurrent kernel and the previous forward and auxiliary records. Inputs: dcur, rk, prev, aux, then the masks.
 */
export function postStepProgram(cell: GpuCell, shape: RunShape): StepProgram {
  const post = cell.post!;
  const { batch, units } = shape;
  const bFields = backwardFields(cell);
  const dcur = input('dcur', batch, bFields.length * units);
  const rk = input('rk', units, cell.gates * units);
  const prev = input('prev', batch, forwardFields(cell, shape).length * units);
  const aux = input('aux', batch, cell.pre!.fields.length * units);
  const masks = masksOf(shape);
  return {
    name: `${cell.cell.name} backward step, last stage`,
    inputs: [...present(dcur, rk, prev, aux), ...masks.inputs],
    uniforms: ['tau'],
    outputRows: batch,
    outputCols: post.fields.length * units,
    source(lang) {
      const terms = backwardTerms(cell, shape, lang, { prev, aux, masks });
      const products = new Set<string>();
      const functions = [activationFunctions(lang, activationList(shape))];
      for (const q of post.quantities) {
        // Which (field, gate) products the quantities use: each becomes a function.
        q.expr({
          ...terms,
          transposedProduct: (field, gate) => {
            const key = `${field}_${gate}`;
            if (!products.has(key)) {
              products.add(key);
              const f = fieldIndex(bFields, field, 'the backward record');
              functions.push(
                lang.sumFunction(
                  `transposed_${key}`,
                  units,
                  (m) =>
                    `${lang.read(dcur, 'b', `${f * units} + ${m}`)} * ${lang.read(rk, 'col', `${gate * units} + ${m}`)}`,
                ),
              );
            }
            return '';
          },
        });
      }
      const block = (field: string) =>
        [
          ...closure(post.quantities, [field]).map((q) => lang.let(`q_${q.name}`, q.expr(terms))),
          `result = ${lang.select('valid_f != 0.0', `q_${field}`, '0.0')};`,
        ].join('\n');
      const body = [...header(lang, units, masks.step, lang.uniform('tau')), fieldBlocks(post.fields, block)];
      return { functions: functions.join('\n'), body: body.join('\n') };
    },
  };
}

/**
 * Fields `fields` (indices) of `count` records `[batch, recordFields * units]` side by side: output
 * `[batch, count * fields.length * units]`, record k's fields at columns `k * fields.length * units ...`.
 */
export function collectProgram(
  batch: number,
  units: number,
  recordFields: number,
  fields: readonly number[],
  count: number,
): StepProgram {
  const records = Array.from({ length: count }, (_, k) => input(`r${k}`, batch, recordFields * units));
  const per = fields.length * units;
  return {
    name: `collect ${count} records, fields ${fields.join(',')}`,
    inputs: records,
    uniforms: [],
    outputRows: batch,
    outputCols: count * per,
    source(lang) {
      const column = fields.map((f, i) => `if (fi == ${i}) { source = ${f * units} + j; }`).join('\n');
      const pick = records
        .map((r, k) => `if (k == ${k}) { result = ${lang.read(r, 'b', 'source')}; }`)
        .join('\n');
      const body = [
        lang.letInt('k', `col / ${per}`),
        lang.letInt('rest', `col - k * ${per}`),
        lang.letInt('fi', `rest / ${units}`),
        lang.letInt('j', `rest - fi * ${units}`),
        lang.variable('result', '0.0'),
        lang.variableInt('source', '0'),
        column,
        pick,
      ].join('\n');
      return { functions: '', body };
    },
  };
}
