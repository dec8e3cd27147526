/** Labelled form controls: every input has a visible label, and changes come back as typed values. */
import { el } from './dom.js';

export interface Control<V> {
  readonly element: HTMLElement;
  set(value: V): void;
  setDisabled(disabled: boolean): void;
}

/** A select's option: value, text, and whether it is shown but cannot be chosen. */
export type SelectOption = readonly [value: string, text: string, disabled?: boolean];

export function selectControl(
  id: string,
  label: string,
  options: readonly SelectOption[],
  onChange: (value: string) => void,
): Control<string> & { setOptions(options: readonly SelectOption[]): void } {
  const select = el('select', { id, onchange: () => onChange(select.value) });
  const setOptions = (list: readonly SelectOption[]) => {
    const current = select.value;
    select.replaceChildren(
      ...list.map(([value, text, disabled]) => el('option', { value, disabled: disabled === true }, text)),
    );
    if (list.some(([v]) => v === current)) select.value = current;
  };
  setOptions(options);
  return {
    element: el('label', { class: 'control', for: id }, el('span', {}, label), select),
    set: (value) => {
      select.value = value;
    },
    setDisabled: (disabled) => {
      select.disabled = disabled;
    },
    setOptions,
  };
}

export function numberControl(
  id: string,
  label: string,
  range: { min: number; max: number; step: number },
  onChange: (value: number) => void,
  slider = false,
): Control<number> {
  const output = el('output', { for: id });
  const inputEl = el('input', {
    id,
    type: slider ? 'range' : 'number',
    min: range.min,
    max: range.max,
    step: range.step,
    onchange: () => {
      const v = Number(inputEl.value);
      if (Number.isFinite(v)) onChange(Math.min(range.max, Math.max(range.min, v)));
    },
    oninput: () => {
      output.textContent = inputEl.value;
    },
  });
  return {
    element: el(
      'label',
      { class: 'control', for: id },
      el('span', {}, label),
      inputEl,
      slider ? output : null,
    ),
    set: (value) => {
      inputEl.value = String(value);
      output.textContent = String(value);
    },
    setDisabled: (disabled) => {
      inputEl.disabled = disabled;
    },
  };
}

export function checkboxControl(
  id: string,
  label: string,
  onChange: (value: boolean) => void,
): Control<boolean> {
  const box = el('input', { id, type: 'checkbox', onchange: () => onChange(box.checked) });
  return {
    element: el('label', { class: 'control checkbox', for: id }, box, el('span', {}, label)),
    set: (value) => {
      box.checked = value;
    },
    setDisabled: (disabled) => {
      box.disabled = disabled;
    },
  };
}

export interface Tab {
  readonly id: string;
  readonly label: string;
  readonly panel: HTMLElement;
}

/**
 * ARIA tabs: ←/→ (and Home/End) move between tabs, Enter or a click opens one; hidden panels stay in the DOM.
 */
export class Tabs {
  readonly element: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly tabs: Tab[];
  private current = '';

  constructor(
    label: string,
    tabs: readonly Tab[],
    private readonly onSelect: (id: string) => void,
  ) {
    this.tabs = [...tabs];
    const list = el('div', { role: 'tablist', 'aria-label': label, class: 'tablist' });
    for (const tab of tabs) {
      const button = el(
        'button',
        {
          role: 'tab',
          id: `tab-${tab.id}`,
          type: 'button',
          'aria-controls': `panel-${tab.id}`,
          'aria-selected': 'false',
          tabindex: -1,
          onclick: () => this.select(tab.id, true),
          onkeydown: ((event: KeyboardEvent) => this.onKey(event, tab.id)) as EventListener,
        },
        tab.label,
      );
      this.buttons.set(tab.id, button);
      list.appendChild(button);
      tab.panel.id = `panel-${tab.id}`;
      tab.panel.setAttribute('role', 'tabpanel');
      tab.panel.setAttribute('aria-labelledby', `tab-${tab.id}`);
      tab.panel.setAttribute('tabindex', '0');
      tab.panel.hidden = true;
    }
    this.element = el('div', { class: 'tabs' }, list, ...tabs.map((t) => t.panel));
  }

  select(id: string, notify = false): void {
    if (!this.buttons.has(id)) return;
    for (const tab of this.tabs) {
      const selected = tab.id === id;
      const button = this.buttons.get(tab.id)!;
      button.setAttribute('aria-selected', String(selected));
      button.tabIndex = selected ? 0 : -1;
      tab.panel.hidden = !selected;
    }
    const changed = this.current !== id;
    this.current = id;
    if (notify && changed) this.onSelect(id);
  }

  setHidden(id: string, hidden: boolean): void {
    const button = this.buttons.get(id);
    if (button !== undefined) button.hidden = hidden;
  }

  private onKey(event: KeyboardEvent, id: string): void {
    const visible = this.tabs.filter((t) => !this.buttons.get(t.id)!.hidden);
    const index = visible.findIndex((t) => t.id === id);
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % visible.length,
      ArrowLeft: (index - 1 + visible.length) % visible.length,
      Home: 0,
      End: visible.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    const next = visible[target]!;
    this.buttons.get(next.id)!.focus();
    this.select(next.id, true);
  }
}
