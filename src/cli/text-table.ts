// Plain-text tables for terminal output (`status`, `crawl`): a header row and data rows, columns padded
// to their widest cell, numeric columns right-aligned, two spaces between columns, no trailing blanks.
// Cells are made printable first: remote-controlled text (user agents, monikers) never moves the cursor.

export interface TableOptions {
  /** Indexes of columns to right-align (numbers). */
  readonly right?: readonly number[];
}

/** Replaces control characters (terminal escapes, newlines) so a cell stays on its line. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const all = [header, ...rows].map((row) => row.map(printable));
  const widths = header.map((_h, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const right = new Set(options.right ?? []);
  return all
    .map((row) => row.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/** Bytes for people: `512 B`, `6.7 KiB`, `1.2 MiB`, `3.0 GiB`. */
export function formatBytes(value: number): string {
  if (value >= 1024 ** 3) return `${(value / 1024 ** 3).toFixed(1)} GiB`;
  if (value >= 1024 ** 2) return `${(value / 1024 ** 2).toFixed(1)} MiB`;
  if (value >= 1024) return `${(value / 1024).toFixed(1)} KiB`;
  return `${Math.round(value)} B`;
}

/** A duration in seconds for people: `42 s`, `3 m 05 s`, `2 h 03 m`, `4 d 07 h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} m`;
  return `${Math.floor(s / 86_400)} d ${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')} h`;
}
