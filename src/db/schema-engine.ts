import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';

type SchemaEngineModule = typeof import('@prisma/schema-engine-wasm/schema_engine_bg');
export type SchemaEngine = Awaited<ReturnType<SchemaEngineModule['SchemaEngine']['new']>>;

/** The part of the WebAssembly global used here (TypeScript types it only in the DOM lib). */
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: Record<string, unknown>): Promise<{ exports: Record<string, unknown> }>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const require = createRequire(import.meta.url);
let runtimePromise: Promise<SchemaEngineModule> | undefined;

/**
 * Prisma's schema engine compiled to WASM, so migrations run in-process with no native engine
 * download. The package's own entry imports the .wasm as an ES module, which Node 20 cannot do;
 * the bindings are instantiated by hand instead (see shared/design/prisma-offline.md).
 */
function loadRuntime(): Promise<SchemaEngineModule> {
  runtimePromise ??= (async () => {
    const bindingsPath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const runtime = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as SchemaEngineModule;
    const bytes = await readFile(path.join(path.dirname(bindingsPath), 'schema_engine_bg.wasm'));
    const module = await wasm.compile(bytes);
    const instance = await wasm.instantiate(module, { './schema_engine_bg.js': runtime });
    runtime.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return runtime;
  })();
  return runtimePromise;
}

/** Runs `work` with a schema engine bound to the given database, always freeing it afterwards. */
export async function withSchemaEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const runtime = await loadRuntime();
  const engine = await runtime.SchemaEngine.new(
    { datamodels: undefined },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  try {
    return await work(engine);
  } finally {
    engine.free();
  }
}
