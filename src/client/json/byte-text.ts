/**
 * The fast path of the lossless parse for large bodies, done on the UTF-8 bytes as they were read.
 *
 * On a large body, what costs most is not scanning but fresh memory: every new multi-megabyte string or buffer costs
 * as much as a good share of the parse, in page faults. `JSON.parse(await response.text())` makes two (the joined
 * body and its decoding). Searching the bytes instead of a decoded copy, and quoting in the spare room that the body
 * reader leaves after the bytes, keeps hwdash at those same two.
 */
import { integerEnd, type SearchText } from './exact-integers.js';

const QUOTE = 0x22;

/** UTF-8 bytes read as {@link SearchText}: ASCII characters (all the search looks at) at their byte offsets. */
export class ByteText implements SearchText {
  readonly #bytes: Buffer;
  readonly #needles = new Map<string, Buffer>();

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  indexOf(needle: string, from = 0): number {
    let bytes = this.#needles.get(needle);
    if (!bytes) this.#needles.set(needle, (bytes = Buffer.from(needle, 'latin1')));
    return this.#bytes.indexOf(bytes, from);
  }

  charCodeAt(index: number): number {
    const byte = this.#bytes[index];
    return byte === undefined ? Number.NaN : byte;
  }

  startsWith(search: string, position = 0): boolean {
    const bytes = this.#bytes;
    if (position < 0 || position + search.length > bytes.length) return false;
    for (let k = 0; k < search.length; k++) if (bytes[position + k] !== search.charCodeAt(k)) return false;
    return true;
  }
}

/** Gaps shorter than this are copied byte by byte: a native copy costs more than that to call. */
const SHORT_GAP = 48;

/**
 * `bytes` with quotes around the integers starting at `starts` (ascending). With `spare`, the caller owns the memory
 * of `bytes.buffer` after the bytes, and the quotes are inserted there in place, moving each stretch once from the
 * end; otherwise the result is a new buffer.
 */
export function quoteBytes(bytes: Buffer, starts: readonly number[], spare: boolean): Buffer {
  const text = new ByteText(bytes);
  const length = bytes.length + 2 * starts.length;
  if (spare && bytes.byteOffset + length <= bytes.buffer.byteLength) {
    const out = Buffer.from(bytes.buffer, bytes.byteOffset, length);
    let tail = bytes.length;
    for (let k = starts.length - 1; k >= 0; k--) {
      const start = starts[k]!;
      const end = integerEnd(text, start);
      // Stretches at and after `end` move right by two bytes per quoted integer up to and including this one.
      const shift = 2 * (k + 1);
      moveRight(out, end, tail, shift);
      out[end + shift - 1] = QUOTE;
      moveRight(out, start, end, shift - 1);
      out[start + shift - 2] = QUOTE;
      tail = start;
    }
    return out;
  }
  const out = Buffer.allocUnsafe(length);
  let copied = 0;
  let written = 0;
  for (const start of starts) {
    const end = integerEnd(text, start);
    written += copy(bytes, out, written, copied, start);
    out[written++] = QUOTE;
    written += copy(bytes, out, written, start, end);
    out[written++] = QUOTE;
    copied = end;
  }
  copy(bytes, out, written, copied, bytes.length);
  return out;
}

/** Moves `buffer[from, to)` right by `shift` (overlapping: the last byte first). */
function moveRight(buffer: Buffer, from: number, to: number, shift: number): void {
  if (to - from >= SHORT_GAP) {
    buffer.copyWithin(from + shift, from, to);
    return;
  }
  for (let i = to - 1; i >= from; i--) buffer[i + shift] = buffer[i]!;
}

function copy(source: Buffer, target: Buffer, at: number, from: number, to: number): number {
  if (to - from >= SHORT_GAP) return source.copy(target, at, from, to);
  for (let i = from; i < to; i++) target[at + i - from] = source[i]!;
  return to - from;
}

/**
 * A buffer for a body of `size` bytes with spare room after it for {@link quoteBytes} to quote in place: two bytes
 * per ID, so a sixteenth covers one ID in every 32 bytes, far denser than any page of this API. The spare room is
 * never touched unless used, so it costs address space, not memory.
 */
export function bufferWithSpare(size: number): Buffer {
  return Buffer.allocUnsafe(size + (size >> 4) + 64);
}

/** The bytes {@link quoteBytes} was given, from its result: the original text is needed again only on failure. */
export function unquoteBytes(quoted: Buffer, starts: readonly number[]): Buffer {
  const text = new ByteText(quoted);
  const out = Buffer.allocUnsafe(quoted.length - 2 * starts.length);
  let copied = 0;
  let written = 0;
  starts.forEach((start, k) => {
    const open = start + 2 * k;
    const end = integerEnd(text, open + 1);
    written += quoted.copy(out, written, copied, open);
    written += quoted.copy(out, written, open + 1, end);
    copied = end + 1;
  });
  quoted.copy(out, written, copied);
  return out;
}
