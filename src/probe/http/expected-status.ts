/** Accepted HTTP status codes, parsed from "200-299" or "200,204,301-302". */
export type StatusRanges = readonly (readonly [low: number, high: number])[];

export type ParsedExpectedStatus = { ok: true; ranges: StatusRanges } | { ok: false; message: string };

const MAX_LENGTH = 200;
const PART = /^(\d{3})(?:\s*-\s*(\d{3}))?$/;

export function parseExpectedStatus(text: string): ParsedExpectedStatus {
  if (text.length > MAX_LENGTH) return { ok: false, message: `must be at most ${MAX_LENGTH} characters` };
  const parts = text.split(',').map((p) => p.trim());
  const ranges: [number, number][] = [];
  for (const part of parts) {
    const match = PART.exec(part);
    if (!match) {
      return {
        ok: false,
        message: `"${part}" is not a status code or range; use codes 100-599, e.g. "200-299" or "200,204,301-302"`,
      };
    }
    const low = Number(match[1]);
    const high = match[2] === undefined ? low : Number(match[2]);
    if (low < 100 || high > 599) return { ok: false, message: `"${part}": status codes must be between 100 and 599` };
    if (low > high) return { ok: false, message: `"${part}": a range must go from low to high` };
    ranges.push([low, high]);
  }
  return { ok: true, ranges };
}

export function statusMatches(ranges: StatusRanges, code: number): boolean {
  for (const [low, high] of ranges) if (code >= low && code <= high) return true;
  return false;
}
