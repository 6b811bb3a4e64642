/** Minutes after midnight as a clock, for pages and messages: "21:00" for 1260. No imports, so any page may load it. */
export const clockOf = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
