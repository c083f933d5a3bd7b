/** The payload the SIGKILL writer appends at `seq`: 0..96 bytes that depend on the seq, so a reader can check it. */
export function payloadFor(seq: number): Uint8Array {
  const p = new Uint8Array(seq % 97);
  for (let i = 0; i < p.length; i++) p[i] = (seq * 31 + i * 7) & 0xff;
  return p;
}
