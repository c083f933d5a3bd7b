/**
 * Little-endian field codecs for NetDB event payloads and state. Readers check every length against the bytes
 * present and the plane's limits before slicing, and throw `FoldDecodeError` (a decode failure the fold's error
 * policy handles) instead of reading past the end or allocating from a field's value.
 */
import { readU16LE, readU32LE, u64FromWords, u64Hi, u64Lo, writeU16LE, writeU32LE } from '../../core/index.js';
import { FoldDecodeError } from '../errors.js';
import { NETDB_MAX_TAG_BYTES, NETDB_MAX_TAGS } from '../limits.js';

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 length of `s` without encoding it twice for ASCII (the common case). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

export function tagsLength(tags: readonly string[]): number {
  let n = 1;
  for (const t of tags) n += 1 + utf8Length(t);
  return n;
}

export class ByteWriter {
  constructor(public buf: Uint8Array, public pos: number) {}

  u8(v: number): void {
    this.buf[this.pos++] = v;
  }
  u16(v: number): void {
    writeU16LE(this.buf, this.pos, v);
    this.pos += 2;
  }
  u32(v: number): void {
    writeU32LE(this.buf, this.pos, v);
    this.pos += 4;
  }
  u64(v: bigint): void {
    writeU32LE(this.buf, this.pos, u64Lo(v));
    writeU32LE(this.buf, this.pos + 4, u64Hi(v));
    this.pos += 8;
  }
  /** A string with a u16 (or u32 with `wide`) byte length before it. */
  str(s: string, wide = false): void {
    const at = this.pos + (wide ? 4 : 2);
    const { written } = enc.encodeInto(s, this.buf.subarray(at));
    if (wide) writeU32LE(this.buf, this.pos, written);
    else writeU16LE(this.buf, this.pos, written);
    this.pos = at + written;
  }
  /** A u8 count of tags, each a u8 byte length and UTF-8. */
  tags(tags: readonly string[]): void {
    this.u8(tags.length);
    for (const t of tags) {
      const { written } = enc.encodeInto(t, this.buf.subarray(this.pos + 1));
      this.buf[this.pos] = written;
      this.pos += 1 + written;
    }
  }
}

export class ByteReader {
  pos = 0;
  constructor(readonly buf: Uint8Array, private readonly what: string) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new FoldDecodeError(`${this.what}: needs ${n} more bytes at offset ${this.pos}, has ${this.buf.length - this.pos}`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = readU16LE(this.buf, this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = readU32LE(this.buf, this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = u64FromWords(readU32LE(this.buf, this.pos), readU32LE(this.buf, this.pos + 4));
    this.pos += 8;
    return v;
  }
  private utf8(n: number): string {
    this.need(n);
    if (n <= 64) {
      // Short ASCII strings (titles, tags) decode by hand: TextDecoder costs ~200 ns per call on small views.
      const b = this.buf;
      const start = this.pos;
      let s = '';
      let i = start;
      for (; i < start + n; i++) {
        const c = b[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === start + n) {
        this.pos = i;
        return s;
      }
    }
    let s: string;
    try {
      s = dec.decode(this.buf.subarray(this.pos, this.pos + n));
    } catch {
      throw new FoldDecodeError(`${this.what}: a string is not valid UTF-8`);
    }
    this.pos += n;
    return s;
  }
  /** A u16- (or u32-) length string of at most `max` bytes. */
  str(max: number, wide = false): string {
    const n = wide ? this.u32() : this.u16();
    if (n > max) throw new FoldDecodeError(`${this.what}: string of ${n} bytes exceeds ${max}`);
    return this.utf8(n);
  }
  tags(): string[] {
    const count = this.u8();
    if (count > NETDB_MAX_TAGS) throw new FoldDecodeError(`${this.what}: ${count} tags exceed ${NETDB_MAX_TAGS}`);
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const n = this.u8();
      if (n > NETDB_MAX_TAG_BYTES) throw new FoldDecodeError(`${this.what}: tag too long`);
      out.push(this.utf8(n));
    }
    return out;
  }
  bool(): boolean {
    const v = this.u8();
    if (v > 1) throw new FoldDecodeError(`${this.what}: boolean byte ${v}`);
    return v === 1;
  }
  /** Throws unless every byte was read. */
  end(): void {
    if (this.pos !== this.buf.length) throw new FoldDecodeError(`${this.what}: ${this.buf.length - this.pos} trailing bytes`);
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}
