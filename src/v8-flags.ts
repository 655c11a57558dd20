import v8 from 'node:v8';

/**
 * V8 settings the server gives itself before anything else loads (main.ts imports this module
 * first; the benchmarks' in-process app does too). Each one was measured (bench/README.md):
 *
 * `--liftoff-only`: WebAssembly — PGlite's 9 MB PostgreSQL and Prisma's 3 MB query compiler — stays
 * on V8's baseline compiler instead of being compiled again by TurboFan once warm. That second
 * compilation cost about 0.7 s of CPU on other threads at every start (on two cores, time taken
 * from the start-up itself) and left 65–90 MiB resident for good; CPU per check at 2,000 checks/s
 * and PGlite's query times did not measurably change without it.
 */
v8.setFlagsFromString('--liftoff-only');
