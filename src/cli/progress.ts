/**
 * A one-line progress display on stderr: redrawn in place on a terminal,
 * silent otherwise (logs and pipes get only the final result).
 */
export class ProgressLine {
  private readonly enabled = process.stderr.isTTY === true;
  private shown = false;

  update(text: string): void {
    if (!this.enabled) return;
    process.stderr.write(`\r\x1b[2K${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) process.stderr.write('\r\x1b[2K');
    this.shown = false;
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
