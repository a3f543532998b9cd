// Bit-level helpers shared by the interpreter and the block translator.

/** mask(mb, me) for rlwinm and friends, big-endian bit numbering, with wrap-around. */
export const MASKS = (() => {
  const t = new Int32Array(32 * 32);
  for (let mb = 0; mb < 32; mb++) {
    for (let me = 0; me < 32; me++) {
      let m = 0;
      if (mb <= me) {
        for (let b = mb; b <= me; b++) m |= 1 << (31 - b);
      } else {
        for (let b = 0; b <= me; b++) m |= 1 << (31 - b);
        for (let b = mb; b < 32; b++) m |= 1 << (31 - b);
      }
      t[mb * 32 + me] = m;
    }
  }
  return t;
})();

/** High 32 bits of the unsigned 64-bit product. */
export function mulhwu(a: number, b: number): number {
  const al = a & 0xFFFF;
  const ah = a >>> 16;
  const bl = b & 0xFFFF;
  const bh = b >>> 16;
  const lo = al * bl;
  const m1 = ah * bl;
  const m2 = al * bh;
  const carry = ((lo >>> 16) + (m1 & 0xFFFF) + (m2 & 0xFFFF)) >>> 16;
  return (ah * bh + (m1 >>> 16) + (m2 >>> 16) + carry) | 0;
}

/** High 32 bits of the signed 64-bit product. */
export function mulhw(a: number, b: number): number {
  let hi = mulhwu(a, b);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}


/**
 * Makes V8 keep the named numeric fields of `o` as doubles from now on. A
 * field that starts as a small integer and later outgrows 2^30 or takes a
 * fraction changes the object's shape in the middle of a run, and V8 throws
 * away the optimised code built for the old shape (a fresh Linux boot lost
 * two compilations of the interpreter to a `jitMs` that became fractional).
 * Storing a fraction once, in the constructor, widens the field before any
 * code is optimised; the value is put back at once.
 */
export function holdAsDoubles(o: object, keys: readonly string[]): void {
  const fields = o as Record<string, unknown>;
  for (const k of keys) {
    const v = fields[k];
    if (typeof v !== 'number') throw new Error(`holdAsDoubles: ${k} is not a numeric field`);
    fields[k] = 0.5;
    fields[k] = v;
  }
}
