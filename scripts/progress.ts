/**
 * A progress line for long CLI work, on stderr so `--json` output on stdout stays clean. On a terminal it redraws in
 * place; in a log (CI, a pipe) it prints a line every 10%.
 */
export function progress(label: string, enabled = true) {
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  const started = Date.now();
  return {
    update(done: number, total: number, extra = '') {
      if (!enabled || total === 0) return;
      const share = done / total;
      const line = `${label} ${bar(share)} ${done}/${total} ${extra} ${((Date.now() - started) / 1000).toFixed(1)}s`;
      if (tty) process.stderr.write(`\r${line}\u001b[K`);
      else if (Math.floor(share * 10) > lastDecile) {
        lastDecile = Math.floor(share * 10);
        process.stderr.write(line + '\n');
      }
    },
    done() {
      if (enabled && tty) process.stderr.write('\n');
    },
  };
}

const bar = (share: number, width = 24) => `[${'#'.repeat(Math.round(share * width)).padEnd(width, '.')}]`;
