import { makeBadge } from 'badge-maker';
import type { BadgeFacts } from '../../pages/badges.js';

export const BADGE_STYLES = ['flat', 'flat-square', 'plastic', 'for-the-badge', 'social'] as const;
export type BadgeStyle = (typeof BADGE_STYLES)[number];

/** The badge as shields.io draws it (badge-maker is shields.io's own renderer: same widths, same look). */
export function badgeSvg(facts: BadgeFacts, style: BadgeStyle = 'flat'): string {
  return makeBadge({ label: facts.label, message: facts.message, color: facts.color, style });
}
