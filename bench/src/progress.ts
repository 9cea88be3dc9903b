/**
 * The one-line progress display on stderr: rewritten in place on a terminal; when stderr is not a
 * terminal (CI, tests) only whole lines are written, and the live line at most every few seconds.
 */
export class Progress {
  private lastLength = 0;
  private lastPlainAt = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5000,
  ) {}

  private get tty(): boolean {
    return this.stream.isTTY === true;
  }

  /** Replaces the live line. */
  update(text: string): void {
    if (this.tty) {
      const width = (this.stream.columns ?? 120) - 1;
      const line = text.length > width ? text.slice(0, width) : text;
      this.stream.write(`\r${line}\x1b[K`);
      this.lastLength = line.length;
    } else {
      const now = Date.now();
      if (now - this.lastPlainAt >= this.plainEveryMs) {
        this.lastPlainAt = now;
        this.stream.write(`${text}\n`);
      }
    }
  }

  /** Writes a permanent line (clearing the live one first). */
  log(text: string): void {
    this.clear();
    this.stream.write(`${text}\n`);
    this.lastPlainAt = 0;
  }

  clear(): void {
    if (this.tty && this.lastLength > 0) {
      this.stream.write('\r\x1b[K');
      this.lastLength = 0;
    }
  }
}
