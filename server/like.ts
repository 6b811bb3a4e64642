/** Text matched literally inside a LIKE pattern: its own `%`, `_` and `\\` escaped (PostgreSQL's default escape). */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');
