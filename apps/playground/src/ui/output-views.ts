/** What the model makes: text sampled with a temperature, forecasts fed back on themselves, and its own code. */
import type { ModelReady } from '../engine/protocol.js';
import { LineChart } from './charts.js';
import { numberControl } from './controls.js';
import { el, replace } from './dom.js';
import { COLORS } from './inside-views.js';

export class GenerateView {
  readonly element = el('div', { class: 'view' });
  private temperature = 0.8;
  private length = 200;
  private readonly output = el('pre', { class: 'generated', id: 'generated', 'aria-live': 'polite' });
  private readonly forecastChart = new LineChart({
    title: 'Forecast fed back on itself',
    xLabel: 'step',
    yLabel: 'value',
  });

  constructor(
    private readonly generate: (prompt: string, length: number, temperature: number) => void,
    private readonly forecast: (horizon: number) => void,
  ) {}

  render(model: ModelReady | undefined): void {
    if (model?.canGenerate) {
      const prompt = el('input', { id: 'prompt', type: 'text', value: 'Call me Ishmael. ', size: 40 });
      const temperature = numberControl(
        'temperature',
        'Temperature',
        { min: 0, max: 2, step: 0.1 },
        (v) => {
          this.temperature = v;
        },
        true,
      );
      temperature.set(this.temperature);
      const length = numberControl('generate-length', 'Characters', { min: 10, max: 1000, step: 10 }, (v) => {
        this.length = v;
      });
      length.set(this.length);
      replace(
        this.element,
        el(
          'p',
          {},
          'Sample text from the model, one character at a time: temperature 0 takes the most likely character, higher temperatures take more chances.',
        ),
        el(
          'div',
          { class: 'row' },
          el('label', { class: 'control', for: 'prompt' }, el('span', {}, 'Start with'), prompt),
          temperature.element,
          length.element,
        ),
        el(
          'button',
          {
            type: 'button',
            id: 'generate',
            onclick: () => this.generate(prompt.value, this.length, this.temperature),
          },
          'Generate',
        ),
        this.output,
      );
      return;
    }
    if (model?.canForecast) {
      replace(
        this.element,
        el(
          'p',
          {},
          'Forecast a fresh sine wave: the model sees 40 noisy values, predicts the next, and that prediction becomes its next input, 80 times over. Errors compound; the dashed line is the true wave.',
        ),
        el('button', { type: 'button', id: 'forecast', onclick: () => this.forecast(80) }, 'Forecast'),
        this.forecastChart.element,
      );
      return;
    }
    replace(
      this.element,
      el(
        'p',
        {},
        'Generation is for the text task (characters of Moby-Dick) and forecasting for the sine task; choose one of them.',
      ),
    );
  }

  setText(text: string, prompt: string): void {
    this.output.textContent = `${prompt}${text}`;
  }

  setForecast(context: Float32Array, predicted: Float32Array, truth: Float32Array): void {
    const n = context.length;
    this.forecastChart.update([
      { name: 'observed', color: COLORS[5]!, x: Array.from(context, (_, t) => t), y: context },
      {
        name: 'true continuation',
        color: COLORS[2]!,
        x: Array.from(truth, (_, t) => n + t),
        y: truth,
        dashed: true,
      },
      {
        name: 'forecast fed back',
        color: COLORS[1]!,
        x: Array.from(predicted, (_, t) => n + t),
        y: predicted,
      },
    ]);
  }
}

export class CodeView {
  readonly element = el('div', { class: 'view' });
  private readonly code = el('code', { id: 'code' });
  private readonly status = el('span', { class: 'muted', 'aria-live': 'polite' });

  constructor() {
    replace(
      this.element,
      el(
        'p',
        {},
        'The seqmodel script that makes this data, builds this model and trains it as the page does: same seed, same weights, same batches.',
      ),
      el('button', { type: 'button', id: 'copy-code', onclick: () => void this.copy() }, 'Copy as code'),
      this.status,
      el('pre', {}, this.code),
    );
  }

  set(code: string): void {
    this.code.textContent = code;
  }

  text(): string {
    return this.code.textContent ?? '';
  }

  async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.text());
      this.status.textContent = ' Copied.';
    } catch {
      // Without clipboard permission: select the code so that Ctrl+C copies it.
      const range = document.createRange();
      range.selectNodeContents(this.code);
      const selection = window.getSelection();
      selection?.removeAllRanges();
      selection?.addRange(range);
      this.status.textContent = ' Selected: press Ctrl+C to copy.';
    }
  }
}
