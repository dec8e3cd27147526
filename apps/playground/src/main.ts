/**
 * The page's entry: reads the state from the URL, starts the training worker and the app. Nothing here loads
 * tfjs: the worker does, so the page stays responsive while models train.
 */
import { availableCells } from './cells.js';
import { configFromQuery } from './config.js';
import { App, type PlaygroundHandle } from './ui/app.js';
import './styles.css';

const cells = availableCells();
const { config, ignored } = configFromQuery(location.search, cells);
const worker = new Worker(new URL('./engine/worker.ts', import.meta.url), {
  type: 'module',
  name: 'training',
});
const app = new App(document.getElementById('app')!, worker, config, cells, ignored);

// For scripting the page (and for its end-to-end tests): read-only views of its state.
(window as unknown as { playground: PlaygroundHandle }).playground = app.handle();
