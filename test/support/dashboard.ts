import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import { RegisterServiceDocument, type RegisterServiceInput, ServiceByNameDocument } from '../generated/graphql.js';
import { executeOperation } from './graphql.js';

const require = createRequire(import.meta.url);

/** Registers a service over the API (not the UI) and returns its id. */
export async function registerService(
  graphqlUrl: string,
  input: RegisterServiceInput,
  headers: Record<string, string> = {},
): Promise<string> {
  const result = await executeOperation(fetch, graphqlUrl, RegisterServiceDocument, { input }, headers);
  if (result.registerService.__typename !== 'ServicePayload')
    throw new Error(`register ${input.name}: ${JSON.stringify(result)}`);
  return result.registerService.service.id;
}

export async function serviceStatus(
  graphqlUrl: string,
  name: string,
  headers: Record<string, string> = {},
): Promise<string | undefined> {
  const result = await executeOperation(fetch, graphqlUrl, ServiceByNameDocument, { name }, headers);
  return result.service?.state.status;
}

/** The dashboard's row of one service. */
export const rowOf = (page: Page, id: string): Locator => page.locator(`tr[data-service-id="${id}"]`);

/** The status a row shows, as the words a person reads (icon and text). */
export async function rowStatus(page: Page, id: string): Promise<string | null> {
  const row = rowOf(page, id);
  if ((await row.count()) === 0) return null;
  return row.locator('.status').first().innerText();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * axe-core run inside the page (evaluated through the DevTools protocol, so the page's CSP, which
 * refuses inline scripts, stays on). Returns the serious and critical violations.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  const source = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: Document): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target,
        ...(n.failureSummary ? { failureSummary: n.failureSummary } : {}),
      })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
