/**
 * True when PostgreSQL can store and compare the text as it is: no NUL (text refuses it) and no
 * lone UTF-16 surrogate (not Unicode: it cannot be encoded as UTF-8). Nothing stored fails this,
 * so a lookup with such text can answer "nothing found" without asking the database.
 */
export function isStorableText(text: string): boolean {
  return !text.includes('\0') && !/\p{Surrogate}/u.test(text);
}
