process.argv = [process.argv[0], 'x', ...(process.env.ZZ_ARGS ?? 'wasm indRnn 16x32x16x64').split(' ')];
await import('./zz-prof.mjs');
