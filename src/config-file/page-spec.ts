import { DEFAULT_HISTORY_DAYS, type StatusPageInput, type ValidStatusPage } from '../pages/page-input.js';
import { optInt, optStr, type Shape, str, strings } from './shape.js';
import type { Spec } from './spec.js';

export const PAGE_SHAPE: Shape = {
  type: 'object',
  fields: { slug: str, title: str, description: optStr, services: strings, labels: strings, historyDays: optInt },
  required: ['slug', 'title'],
};

export const PAGE_FIELD_ORDER: readonly string[] = Object.keys(PAGE_SHAPE.type === 'object' ? PAGE_SHAPE.fields : {});

/** A document's page as the pages' input, its services still by name (in `serviceIds`). */
export function pageInputOf(object: Record<string, unknown>): StatusPageInput {
  const { services, $comment: _comment, ...rest } = object;
  return { ...(rest as unknown as StatusPageInput), serviceIds: (services as string[] | null | undefined) ?? [] };
}

/** A page as a document writes it; `serviceNames` in the page's order. */
export function pageSpec(page: Omit<ValidStatusPage, 'serviceIds'>, serviceNames: readonly string[]): Spec {
  return {
    slug: page.slug,
    title: page.title,
    ...(page.description === null ? {} : { description: page.description }),
    ...(serviceNames.length > 0 ? { services: [...serviceNames] } : {}),
    ...(page.labels.length > 0 ? { labels: page.labels } : {}),
    ...(page.historyDays === DEFAULT_HISTORY_DAYS ? {} : { historyDays: page.historyDays }),
  };
}
