// Bounded output capture: every byte goes to disk (when a file is given) and to the
// streaming callback, but memory holds only the first and last `windowBytes` of a stream,
// so a 50 MB tcpdump cannot blow up the wizard.
import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_WINDOW_BYTES = 64 * 1024;

export class BoundedCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** tail chunks; trimmed from the front when over the window */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly decoder = new StringDecoder('utf8');
  private file: WriteStream | undefined;
  private fileError: Error | undefined;

  constructor(
    private readonly windowBytes: number = DEFAULT_WINDOW_BYTES,
    filePath?: string,
    private readonly onText?: (text: string) => void,
  ) {
    if (filePath) {
      this.file = createWriteStream(filePath);
      this.file.on('error', (err) => {
        this.fileError = err;
      });
    }
  }

  /** false when the file is behind: the caller should pause its source until onDrain */
  push(chunk: Buffer): boolean {
    this.total += chunk.length;
    const keepUp = this.file ? this.file.write(chunk) : true;
    if (this.onText) {
      const text = this.decoder.write(chunk);
      if (text) this.onText(text);
    }
    let rest = chunk;
    if (this.headBytes < this.windowBytes) {
      const take = Math.min(this.windowBytes - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0) return keepUp;
    // copy: the stream may reuse its buffers, and a subarray would pin the whole chunk
    this.tail.push(Buffer.from(rest));
    this.tailBytes += rest.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.windowBytes && this.tail.length > 1) {
      this.tailBytes -= this.tail.shift()!.length;
    }
    return keepUp;
  }

  /** call `fn` once the file has caught up (at once when there is no file) */
  onDrain(fn: () => void): void {
    if (this.file && !this.file.destroyed && this.file.writableNeedDrain) this.file.once('drain', fn);
    else fn();
  }

  /** bytes seen in total (exact, whatever was dropped from memory) */
  get byteCount(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headBytes + Math.min(this.tailBytes, this.windowBytes);
  }

  /** bytes currently held in memory (for the memory-bound test) */
  get heldBytes(): number {
    return this.headBytes + this.tailBytes;
  }

  /** the window as text; when bytes were dropped, a marker says how many and where they are */
  text(filePath?: string): string {
    if (this.onText) {
      const rest = this.decoder.end();
      if (rest) this.onText(rest);
    }
    const head = Buffer.concat(this.head);
    let tail = Buffer.concat(this.tail);
    if (tail.length > this.windowBytes) tail = tail.subarray(tail.length - this.windowBytes);
    const omitted = this.total - head.length - tail.length;
    if (omitted <= 0) return Buffer.concat([head, tail]).toString('utf8');
    // skip UTF-8 continuation bytes so the tail starts on a character boundary
    let start = 0;
    while (start < tail.length && start < 4 && (tail[start]! & 0xc0) === 0x80) start++;
    const where = filePath ? `; full output in ${filePath}` : '';
    return (
      head.toString('utf8') +
      `\n[… ${omitted + start} bytes omitted${where} …]\n` +
      tail.subarray(start).toString('utf8')
    );
  }

  /** flush and close the file; resolves when every byte is on disk */
  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    await new Promise<void>((resolve) => {
      if (file.destroyed) return resolve();
      file.end(() => resolve());
      file.once('error', () => resolve());
    });
    if (this.fileError) throw this.fileError;
  }
}
