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
    await expect(loadCsv(fixture('empty.csv'))).rejects.toThrow(
      'source: expected a CSV with a header line, received an empty text',
    );
    await expect(loadCsv(fixture('good.csv'), { columns: ['nope'] })).rejects.toThrow(
      'columns[0]: expected a column of the CSV ("date", "value", "other", "label"), received "nope"',
    );
    await expect(loadCsv(fixture('good.csv'))).rejects.toThrow(
      'line 2, column "date" (1): expected a number',
    );
    await expect(loadCsv(fixture('missing-file.csv'))).rejects.toThrow(
      'source: expected an existing file, received',
    );
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

describe('CSV cells that are not plain decimal numbers', () => {
  const one = (cell: string) => parseCsv(`a\n${cell}\n`);

  it('quotes a long bad cell as a short excerpt with its length', () => {
    const long = `x${'y'.repeat(10_000)}`;
    let message = '';
    try {
      one(long);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `line 2, column "a" (1): expected a number, received "x${'y'.repeat(39)}"… (10001 characters)`,
    );
    expect(() => parseCsv(`d,a\n${long},1\n`, { dateColumn: 'd' })).toThrow(
      /expected a date, received "x(y){39}"… \(10001 characters\)$/,
    );
    // A long column name is cut the same way.
    expect(() => parseCsv(`${'n'.repeat(100)}\nabc\n`)).toThrow(
      `column "${'n'.repeat(40)}"… (100 characters) (1)`,
    );
  });

  it('refuses numbers that overflow to Infinity, like an Infinity cell', () => {
    expect(() => one('Infinity')).toThrow(
      'line 2, column "a" (1): expected a finite number, received "Infinity"',
    );
    expect(() => one('-Infinity')).toThrow('expected a finite number, received "-Infinity"');
    expect(() => one('1e999')).toThrow(
      'line 2, column "a" (1): expected a finite number, received "1e999", which overflows to Infinity',
    );
    expect(() => one('-1e999')).toThrow('received "-1e999", which overflows to -Infinity');
  });

  it('refuses numbers beyond float32 range, which the float32 table cannot hold', () => {
    expect(() => one('1e39')).toThrow(
      'line 2, column "a" (1): expected a number in float32 range (magnitude below 3.4028235e38), received "1e39", which overflows to Infinity in float32',
    );
    expect(() => one('-3.5e38')).toThrow('overflows to -Infinity in float32');
    // The largest float32 itself, and a value that rounds down to it, are kept.
    expect(one('3.4028234663852886e38').values.data[0]).toBe(3.4028234663852886e38);
    expect(one('3.40282356e38').values.data[0]).toBe(3.4028234663852886e38);
    // Tiny magnitudes round to float32 (to 0 below its smallest subnormal), as every float32 reader does.
    expect(one('1e-50').values.data[0]).toBe(0);
  });

  it('refuses hexadecimal, octal and binary literals, signed or not, with or without the fast path', () => {
    for (const cell of ['0x1A', '0X1a', '0o17', '0b101', '-0x1A', '+0x1A']) {
      expect(() => one(cell)).toThrow(
        `line 2, column "a" (1): expected a decimal number, received ${JSON.stringify(cell)} (hexadecimal, octal and binary literals are not read as numbers)`,
      );
      // A numeric missing marker turns the fast path off; the rule is the same.
      expect(() => parseCsv(`a\n${cell}\n`, { missingValues: ['-999'] })).toThrow(
        'expected a decimal number',
      );
    }
    // Decimal forms Number reads are numbers: signs, leading and trailing points, exponents, leading zeros.
    expect(Array.from(parseCsv('a\n+5\n.5\n5.\n1E3\n007\n-0\n').values.data)).toEqual([
      5, 0.5, 5, 1000, 7, -0,
    ]);
  });
});

describe('CSV line ends and encodings', () => {
  it('accepts CR-only line ends (old Mac files) and mixed ones, across chunk boundaries', () => {
    const expected = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    for (const text of ['a,b\r1,2\r3,4\r5,6\r', 'a,b\n1,2\r\n3,4\r5,6', 'a,b\r\r1,2\n\n3,4\r\n\r\n5,6\n']) {
      expect(toNested(parseCsv(text).values)).toEqual(expected);
      for (let cut = 1; cut < text.length; cut++) {
        const parser = new CsvParser();
        const rows = [...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut)), ...parser.end()];
        expect(rows.map((r) => Array.from(r.values))).toEqual(expected);
      }
    }
    // Line numbers count every line end, so errors point at the right line.
    expect(() => parseCsv('a\r1\rx\r')).toThrow('line 3, column "a" (1): expected a number, received "x"');
    // A quoted field may span CR-only lines; the next row's line number counts them.
    const parser = new CsvParser({ columns: ['b'] });
    const rows = [...parser.push('a,b\r"x\ry",1\r2,3\r'), ...parser.end()];
    expect(rows.map((r) => [r.line, r.values[0]])).toEqual([
      [2, 1],
      [4, 3],
    ]);
  });

  it('drops a BOM, reads Latin-1 on request and refuses invalid UTF-8 with its byte offset', async () => {
    const bytes = (...b: number[]) => [Uint8Array.from(b)];
    const t = await loadCsv(bytes(0xef, 0xbb, 0xbf, 0x61, 0x0a, 0x31, 0x0a));
    expect(t.columns).toEqual(['a']);
    // "café\n1\n" in Latin-1: é is 0xe9, not UTF-8.
    const latin1 = [0x63, 0x61, 0x66, 0xe9, 0x0a, 0x31, 0x0a];
    await expect(loadCsv(bytes(...latin1))).rejects.toThrow(
      'source: expected UTF-8 text, received invalid UTF-8 at byte offset 3 (bytes 0xe9 0x0a 0x31 0x0a)',
    );
    expect((await loadCsv(bytes(...latin1), { encoding: 'latin1' })).columns).toEqual(['café']);
    const rows = [];
    for await (const row of streamCsv(bytes(...latin1), { encoding: 'latin1' })) rows.push(row.values[0]);
    expect(rows).toEqual([1]);
    await expect(loadCsv(bytes(0x61), { encoding: 'utf8' as never })).rejects.toThrow(
      'encoding: expected one of "utf-8", "latin1", received "utf8"',
    );
  });
});

describe('CSV options', () => {
  it('rejects unknown options with the closest valid name, in every entry point', async () => {
    expect(() => parseCsv('a\n1\n', { delimeter: ';' } as never)).toThrow(
      'parseCsv(options): unknown option "delimeter" (did you mean "delimiter"?); known options: delimiter, header,',
    );
    expect(() => new CsvParser({ date_column: 'd' } as never)).toThrow(
      'CsvParser(options): unknown option "date_column" (did you mean "dateColumn"?)',
    );
    await expect(loadCsv(['a\n1\n'], { missingValue: ['x'] } as never)).rejects.toThrow(
      'loadCsv(options): unknown option "missingValue" (did you mean "missingValues"?)',
    );
    await expect(streamCsv(['a\n1\n'], { encodng: 'latin1' } as never).next()).rejects.toThrow(
      'streamCsv(options): unknown option "encodng" (did you mean "encoding"?)',
    );
    // parseCsv reads text, not bytes: it has no encoding.
    expect(() => parseCsv('a\n1\n', { encoding: 'latin1' } as never)).toThrow(
      'parseCsv(options): unknown option "encoding"',
    );
  });

  it('checks the type of every option', () => {
    expect(() => parseCsv('a\n1\n', { fillValue: 'zero' as never })).toThrow(
      'fillValue: expected a finite number (in float32 range), received "zero"',
    );
    expect(() => parseCsv('a\n1\n', { missingValues: 'NA' as never })).toThrow(
      'missingValues: expected an array of strings, received "NA"',
    );
    expect(() => parseCsv('a\n1\n', { parseDate: 'iso' as never })).toThrow('parseDate: expected a function');
    expect(() => parseCsv('a\n1\n', { header: 'yes' as never })).toThrow('header: expected a boolean');
    expect(() => parseCsv('a\n1\n', { columnNames: 'a' as never })).toThrow(
      'columnNames: expected an array of strings',
    );
    expect(() => parseCsv('a\n1\n', { columns: [] })).toThrow(
      'columns: expected a non-empty array of column names or indices',
    );
    expect(() => parseCsv('a\n1\n', { dateColumn: true as never })).toThrow(
      'dateColumn: expected a column name or index, received true',
    );
    expect(() => new CsvParser().push(3 as never)).toThrow('text: expected a string, received 3');
  });
});
