/**
 * MAC addresses: parsing, formatting, and a set that holds 48-bit values in a typed
 * array (no per-entry heap objects, so a million MACs cost ~16 MB and no GC work).
 */

/** Fills the array with random bytes (the shape of `crypto.getRandomValues`). */
export type RandomFill = (bytes: Uint8Array) => unknown;

const TWO_24 = 16777216;

const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const COLON = 58;

function hi4(byte: number): number {
  return HEX_CODES[byte >>> 4] as number;
}
function lo4(byte: number): number {
  return HEX_CODES[byte & 15] as number;
}

/** Formats a 48-bit value as lowercase `aa:bb:cc:dd:ee:ff`. */
export function formatMac(value: number): string {
  const hi = Math.floor(value / TWO_24);
  const lo = value % TWO_24;
  const a = hi >>> 16;
  const b = (hi >>> 8) & 255;
  const c = hi & 255;
  const d = lo >>> 16;
  const e = (lo >>> 8) & 255;
  const f = lo & 255;
  // One flat string in one allocation; template concatenation would build a rope of 11 parts.
  return String.fromCharCode(
    hi4(a), lo4(a), COLON, hi4(b), lo4(b), COLON, hi4(c), lo4(c), COLON,
    hi4(d), lo4(d), COLON, hi4(e), lo4(e), COLON, hi4(f), lo4(f),
  );
}

/**
 * Parses a 48-bit MAC (`aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff`, any
 * hex case) to a number. Unlike Go's `net.ParseMAC` (which Kube-OVN uses and which also
 * accepts 64-bit and 20-byte forms), group (multicast/broadcast) and all-zero MACs are
 * rejected: neither can be a pod's unicast address.
 */
export function parseMac(text: string): number | undefined {
  let hex: string;
  if (/^[0-9a-fA-F]{2}([:-])[0-9a-fA-F]{2}(\1[0-9a-fA-F]{2}){4}$/.test(text)) hex = text.replace(/[:-]/g, '');
  else if (/^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text)) hex = text.replace(/\./g, '');
  else return undefined;
  const value = parseInt(hex, 16);
  const firstOctet = Math.floor(value / 2 ** 40);
  if (value === 0 || (firstOctet & 1) === 1) return undefined;
  return value;
}

/**
 * Set of non-zero 48-bit values: open addressing with linear probing over a
 * Float64Array (48-bit integers are exact in doubles); 0 marks an empty slot.
 * Deletion shifts the probe chain back, so there are no tombstones.
 */
export class MacSet {
  private slots = new Float64Array(1024);
  private mask = 1023;
  private used = 0;

  get size(): number {
    return this.used;
  }

  private slotOf(value: number): number {
    const lo = value % TWO_24;
    const hi = Math.floor(value / TWO_24);
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> 0;
  }

  has(value: number): boolean {
    for (let i = this.slotOf(value) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.slots[i];
      if (v === 0) return false;
      if (v === value) return true;
    }
  }

  /** Adds a value; false when already present. */
  add(value: number): boolean {
    if ((this.used + 1) * 2 > this.slots.length) this.grow();
    for (let i = this.slotOf(value) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.slots[i];
      if (v === value) return false;
      if (v === 0) {
        this.slots[i] = value;
        this.used++;
        return true;
      }
    }
  }

  /** Removes a value; false when absent. */
  delete(value: number): boolean {
    const m = this.mask;
    let i = this.slotOf(value) & m;
    while (this.slots[i] !== value) {
      if (this.slots[i] === 0) return false;
      i = (i + 1) & m;
    }
    // Backward-shift deletion: move later entries of the chain into the hole when
    // their home slot does not lie cyclically in (hole, j].
    let hole = i;
    for (let j = (i + 1) & m; this.slots[j] !== 0; j = (j + 1) & m) {
      const home = this.slotOf(this.slots[j] as number) & m;
      const inRange = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!inRange) {
        this.slots[hole] = this.slots[j] as number;
        hole = j;
      }
    }
    this.slots[hole] = 0;
    this.used--;
    return true;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.mask = this.slots.length - 1;
    this.used = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}
