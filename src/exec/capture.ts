// Bounded output capture: every byte goes to disk (when a file is given) and to the
// streaming callback, but memory holds only the first and last `windowBytes` of a stream,
// so a 50 MB tcpdump cannot blow up the wizard.
//
// The file is written *redacted* as it goes (transcript/redact.ts's stream redactor): a
// crash or kill -9 while a `kubectl get secret -o yaml` or a `curl -v` with a token runs
// must not leave the raw secret on disk. The redactor holds back up to `holdChars` of text
// (a Secret's `kind` comes after its `data`) and then releases whole lines, so the file
// lags the command by at most that much, and a crash loses the held part rather than
// writing it raw. `byteCount` stays the exact number of bytes the command printed; the
// file holds the redacted text, which is byte-identical when nothing needed redacting.
import { createWriteStream, type WriteStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { createOutputRedactor, type OutputRedactor } from '../transcript/redact.js';
import { markRedactedOnWrite } from '../transcript/redacted-files.js';

export const DEFAULT_WINDOW_BYTES = 64 * 1024;
/** bytes the output file may have queued before push() asks the source to pause */
export const FILE_HIGH_WATER_MARK = 1 << 20;

export interface CaptureOptions {
  /** redact what goes to the file as it is written (default true); false keeps raw bytes */
  redact?: boolean;
  /** characters the redactor may hold back for context (default 1 MiB) */
  holdChars?: number;
}

export class BoundedCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  /** the last windowBytes, in a ring allocated once: copying each chunk into a new Buffer
   * cost 100 MiB of allocations (and RSS until the GC freed them) for a 100 MiB output */
  private ring: Buffer | undefined;
  private ringPos = 0;
  private tailBytes = 0;
  private total = 0;
  private readonly decoder = new StringDecoder('utf8');
  private file: WriteStream | undefined;
  private fileError: Error | undefined;
  /** the file's redactor; it reads the same decoded text as onText (one decode per chunk) */
  private redactor: OutputRedactor | undefined;
  /** what the decoder held at the end, once taken, for whichever of file and onText comes second */
  private decoderRest: string | undefined;

  constructor(
    private readonly windowBytes: number = DEFAULT_WINDOW_BYTES,
    filePath?: string,
    private readonly onText?: (text: string) => void,
    opts: CaptureOptions = {},
  ) {
    if (filePath) {
      if (opts.redact !== false) this.redactor = createOutputRedactor(opts.holdChars);
      this.filePath = filePath;
    }
  }

  /** the file is created with the first byte to write: a command that prints nothing leaves none (most probes) */
  private readonly filePath: string | undefined;

  private openFile(): WriteStream {
    if (this.file) return this.file;
    // The writes run on libuv's thread pool; with the default 16 KiB high-water mark every
    // 64 KiB chunk of a fast command said "behind", the source paused and the main thread
    // sat idle until each write finished (~100 ms of a 100 MiB flood). 1 MiB lets the
    // redaction of the next chunks overlap the write of this one; memory stays bounded by it.
    const file = createWriteStream(this.filePath!, { mode: 0o600, highWaterMark: FILE_HIGH_WATER_MARK });
    file.on('error', (err) => {
      this.fileError = err;
    });
    this.file = file;
    return file;
  }

  /** false when the file is behind: the caller should pause its source until onDrain */
  push(chunk: Buffer): boolean {
    this.total += chunk.length;
    const toFile = this.filePath !== undefined && !this.closed;
    // decoded once for both the redactor and the UI: 100 MiB of output was decoded twice
    const text = (toFile && this.redactor) || this.onText ? this.decoder.write(chunk) : '';
    const keepUp = toFile ? this.writeFile(chunk, text) : true;
    if (this.onText && text) this.onText(text);
    let rest = chunk;
    if (this.headBytes < this.windowBytes) {
      const take = Math.min(this.windowBytes - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.windowBytes === 0) return keepUp;
    // copied: the stream may reuse its buffers, and a subarray would pin the whole chunk
    const ring = (this.ring ??= Buffer.allocUnsafe(this.windowBytes));
    if (rest.length >= ring.length) rest = rest.subarray(rest.length - ring.length);
    const first = Math.min(rest.length, ring.length - this.ringPos);
    rest.copy(ring, this.ringPos, 0, first);
    if (first < rest.length) rest.copy(ring, 0, first);
    this.ringPos = (this.ringPos + rest.length) % ring.length;
    this.tailBytes = Math.min(ring.length, this.tailBytes + rest.length);
    return keepUp;
  }

  private closed = false;
  private textEnded = false;

  private writeFile(chunk: Buffer, text: string): boolean {
    if (!this.redactor) return chunk.length > 0 ? this.openFile().write(chunk) : true;
    const out = this.redactor.push(text);
    return out ? this.openFile().write(out) : true;
  }

  private takeDecoderRest(): string {
    this.decoderRest ??= this.decoder.end();
    return this.decoderRest;
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
    return this.total > this.headBytes + this.tailBytes;
  }

  /** bytes currently held in memory (for the memory-bound test) */
  get heldBytes(): number {
    return this.headBytes + this.tailBytes;
  }

  /** the window as text; when bytes were dropped, a marker says how many and where they are */
  text(filePath?: string): string {
    if (this.onText && !this.textEnded) {
      this.textEnded = true;
      const rest = this.takeDecoderRest();
      if (rest) this.onText(rest);
    }
    const head = Buffer.concat(this.head);
    const ring = this.ring;
    const tail = !ring
      ? Buffer.alloc(0)
      : this.tailBytes < ring.length
        ? ring.subarray(0, this.tailBytes)
        : Buffer.concat([ring.subarray(this.ringPos), ring.subarray(0, this.ringPos)]);
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
    if (this.filePath === undefined || this.closed) return;
    this.closed = true;
    if (this.redactor) {
      const rest = this.redactor.push(this.takeDecoderRest()) + this.redactor.end();
      if (rest) this.openFile().write(rest);
    }
    const file = this.file;
    if (!file) return;
    this.file = undefined;
    await new Promise<void>((resolve) => {
      if (file.destroyed) return resolve();
      file.end(() => resolve());
      file.once('error', () => resolve());
    });
    if (this.fileError) throw this.fileError;
    // the transcript writer need not read it again (transcript/redacted-files.ts)
    if (this.redactor) markRedactedOnWrite(this.filePath);
  }
}
