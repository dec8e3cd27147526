// Set up before each of the bench's test files (vitest.config.ts, `sharedProcessSetup`): the bench's plugin cells
// registered, as the CLI registers them when it starts. The bench's files share a process, so otherwise the first
// file to list the bench's cells would register them for every file after it, and which file that is depends on
// the order vitest picks; registered here, before the shared-process guard takes its snapshot, every file starts
// from the same registry.
import { registerBenchPlugins } from './cells.js';

registerBenchPlugins();
