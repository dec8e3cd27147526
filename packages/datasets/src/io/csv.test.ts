import { describe, expect, it } from 'vitest';
import { toNested } from '../tensor-data.js';
import { CsvParser, loadCsv, parseCsv, streamCsv, tableColumn } from './csv.js';

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url);

describe('loadCsv', () => {
  it('reads a header, numeric columns and a date column from a file', async () => {
    const t = await loadCsv(fixture('good.csv'), { dateColumn: 'date', columns: ['value', 'other'] });
    expect(t.columns).toEqual(['value', 'other']);
    expect(toNested(t.values)).toEqual([
      [1.5, 10],
      [2.5, 20],
      [3.5, 30],
    ]);
    expect(Array.from(t.dates!)).toEqual([Date.UTC(2020, 0, 1), Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(Array.from(tableColumn(t, 'other'))).toEqual([10, 20, 30]);
    expect(() => tableColumn(t, 'date')).toThrow('name: expected one of "value", "other", received "date"');
  });

  it('selects columns by index and in the order given, from a path string too', async () => {
    const t = await loadCsv(fixture('good.csv').pathname, { columns: [2, 'value'] });
    expect(t.columns).toEqual(['other', 'value']);
    expect(Array.from(t.values.data.slice(0, 2))).toEqual([10, 1.5]);
    expect(t.dates).toBeUndefined();
  });

  it('names the line of a ragged row', async () => {
    await expect(loadCsv(fixture('ragged.csv'), { dateColumn: 'date' })).rejects.toThrow(
      'line 3: expected 3 fields (as in the header), received 4',
    );
  });

  it('names the line and column of a non-numeric cell', async () => {
    await expect(loadCsv(fixture('non-numeric.csv'), { dateColumn: 'date' })).rejects.toThrow(
      'line 3, column "value" (2): expected a number, received "abc"',
    );
  });

  it('names the line and column of a NaN, and of a bad date', async () => {
    await expect(loadCsv(fixture('nan.csv'), { dateColumn: 'date' })).rejects.toThrow(
      'line 4, column "value" (2): missing value "NaN"',
    );
    await expect(loadCsv(fixture('bad-date.csv'), { dateColumn: 'date' })).rejects.toThrow(
      'line 3, column "date" (1): expected a date, received "not-a-date"',
    );
  });

  it('applies each missing-value policy (CRLF file)', async () => {
    const load = (missing: 'skip' | 'fill' | 'forward' | 'interpolate') =>
      loadCsv(fixture('missing.csv'), { dateColumn: 'date', missing, fillValue: -1 }).then((t) =>
        toNested(t.values),
      );
    await expect(loadCsv(fixture('missing.csv'), { dateColumn: 'date' })).rejects.toThrow(
      'line 3, column "value" (2): missing value ""',
    );
    expect(await load('skip')).toEqual([
      [1, 10],
      [9, 50],
    ]);
    expect(await load('fill')).toEqual([
      [1, 10],
      [-1, 20],
      [-1, 30],
      [7, -1],
      [9, 50],
    ]);
    expect(await load('forward')).toEqual([
      [1, 10],
      [1, 20],
      [1, 30],
      [7, 30],
      [9, 50],
    ]);
    expect(await load('interpolate')).toEqual([
      [1, 10],
      [3, 20],
      [5, 30],
      [7, 40],
      [9, 50],
    ]);
    // At the ends, the nearest value is repeated.
    const ends = parseCsv('a\nNA\n2\nNA\n4\nNA\n', { missing: 'interpolate' });
    expect(Array.from(ends.values.data)).toEqual([2, 2, 3, 4, 4]);
    expect(() => parseCsv('a\nNA\n', { missing: 'interpolate' })).toThrow(
      'column "a": every value is missing, nothing to interpolate',
    );
  });

  it('handles quoted fields with delimiters, escaped quotes and line breaks', async () => {
    const rows = [];
    for await (const row of streamCsv(fixture('quoted.csv'), { columns: ['value'] })) rows.push(row);
    expect(rows.map((r) => [r.line, r.values[0]])).toEqual([
      [2, 1],
      [3, 2],
    ]);
    expect(() => parseCsv('a,b\n"x"y,1\n', { columns: ['b'] })).toThrow(
      'line 2: unexpected text after a closing quote',
    );
    expect(() => parseCsv('a,b\nx"y,1\n', { columns: ['b'] })).toThrow(
      'line 2: unexpected quote inside an unquoted field',
    );
    expect(() => parseCsv('a,b\n"open,1\n', { columns: ['b'] })).toThrow('line 2: unterminated quoted field');
  });

  it('reads files without a header, with another delimiter, skipping blank lines', async () => {
    const t = await loadCsv(fixture('no-header.csv'), { header: false, delimiter: ';' });
    expect(t.columns).toEqual(['0', '1']);
    expect(toNested(t.values)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const named = await loadCsv(fixture('no-header.csv'), {
      header: false,
      delimiter: ';',
      columnNames: ['x', 'y'],
      columns: ['y'],
    });
    expect(Array.from(named.values.data)).toEqual([2, 4, 6]);
  });

  it('rejects an empty file and unknown columns', async () => {
    await expect(loadCsv(fixture('empty.csv'))).rejects.toThrow('source: the CSV is empty (no header line)');
    await expect(loadCsv(fixture('good.csv'), { columns: ['nope'] })).rejects.toThrow(
      'columns[0]: expected a column of the CSV ("date", "value", "other", "label"), received "nope"',
    );
    await expect(loadCsv(fixture('good.csv'))).rejects.toThrow(
      'line 2, column "date" (1): expected a number',
    );
    await expect(loadCsv(fixture('missing-file.csv'))).rejects.toThrow('source: no such file');
  });
});

describe('CsvParser', () => {
  it('gives the same rows however the text is cut into chunks', () => {
    const text = 'a,b\r\n1,"x\r\ny"\r\n2,"3"\r\n4,5';
    const whole = parseCsv(text, { columns: ['a'] });
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new CsvParser({ columns: ['a'] });
      const rows = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()];
      expect(rows.map((r) => r.values[0])).toEqual(Array.from(whole.values.data));
      expect(rows.map((r) => r.line)).toEqual([2, 4, 5]);
    }
  });

  it('ignores a byte-order mark before the header', () => {
    expect(parseCsv('\ufeffa,b\n1,2\n').columns).toEqual(['a', 'b']);
  });

  it('refuses interpolation while streaming', async () => {
    const gen = streamCsv(fixture('missing.csv'), { missing: 'interpolate' });
    await expect(gen.next()).rejects.toThrow(
      'missing: expected "error", "skip", "fill" or "forward" when streaming',
    );
  });
});
