import { checkInteger, checkLength, checkWellFormed, fail, validateLabels } from '../registry/validation.js';

export const PAGE_LIMITS = {
  slug: /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/,
  title: { min: 1, max: 100 },
  description: { min: 1, max: 500 },
  historyDays: { min: 1, max: 365 },
  services: 200,
} as const;
export const DEFAULT_HISTORY_DAYS = 90;

/** What a status page is made of, as given by an operator. */
export interface StatusPageInput {
  slug: string;
  title: string;
  description?: string | null;
  serviceIds?: string[] | null;
  labels?: string[] | null;
  historyDays?: number | null;
}

export interface ValidStatusPage {
  slug: string;
  title: string;
  description: string | null;
  serviceIds: string[];
  labels: string[];
  historyDays: number;
}

/** Checks a whole page definition; every problem is a ValidationError naming its field. */
export function validateStatusPage(input: StatusPageInput): ValidStatusPage {
  const slug = input.slug.trim();
  if (!PAGE_LIMITS.slug.test(slug)) {
    fail('slug', 'must be 1–64 characters of a-z, 0-9 and -, neither starting nor ending with -');
  }
  const title = input.title.trim();
  checkLength('title', title, PAGE_LIMITS.title);
  checkWellFormed('title', title);
  if (/\p{Cc}/u.test(title)) fail('title', 'must not hold control characters');
  let description: string | null = null;
  if (input.description != null) {
    description = input.description.trim();
    checkLength('description', description, PAGE_LIMITS.description);
    checkWellFormed('description', description);
  }
  const serviceIds = [...new Set(input.serviceIds ?? [])];
  if (serviceIds.length > PAGE_LIMITS.services) fail('serviceIds', `at most ${PAGE_LIMITS.services} services`);
  const historyDays = input.historyDays ?? DEFAULT_HISTORY_DAYS;
  checkInteger('historyDays', historyDays, PAGE_LIMITS.historyDays);
  return { slug, title, description, serviceIds, labels: validateLabels(input.labels ?? []), historyDays };
}
