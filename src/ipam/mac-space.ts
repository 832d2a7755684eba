/**
 * One subnet's MACs: generated ones unique by construction, claimed ones in a set.
 *
 * A generated MAC is a keyed permutation of a per-subnet counter: a four-round Feistel
 * network over the 46 free bits of a locally administered unicast MAC, its round keys
 * drawn from the random source once per subnet. Distinct counters give distinct MACs,
 * so generating one needs no uniqueness probe into a set of every MAC in the subnet
 * (a cache miss per allocation into a table of 16 MB at 1M MACs). The MACs still look
 * random (Kube-OVN draws each at random); a new process draws new keys.
 *
 * Which generated MACs are live is one bit per counter, in chunks that are dropped when
 * their last bit clears, so memory follows the live MACs, not how many were ever made.
 * MACs that come from outside (static requests, restores after a restart, a generated
 * one whose bit was cleared) live in a `MacSet`; generation skips any of them it meets.
 */
import { MacSet } from './mac.js';
import type { RandomFill } from './mac.js';

const HALF = 0x800000; // 2^23: each Feistel half
const HALF_MASK = 0x7fffff;
const TWO_40 = 1099511627776;
/** Counters (and permuted values) are 46 bits: 48 minus the U/L and I/G bits. */
const SPACE = 70368744177664; // 2^46
const CHUNK_BITS = 4096;
const CHUNK_WORDS = CHUNK_BITS / 32;

interface Chunk {
  readonly words: Uint32Array;
  live: number;
}

/** Where counter `c`'s live bit is: its chunk, the word in the chunk, the bit in the word. */
const chunkOf = (c: number): number => Math.floor(c / CHUNK_BITS);
const wordOf = (c: number): number => (c % CHUNK_BITS) >>> 5;
const bitOf = (c: number): number => 1 << (c & 31);

export class MacSpace {
  private readonly keys: readonly [number, number, number, number];
  private counter = 0;
  private generatedLive = 0;
  private readonly chunks = new Map<number, Chunk>();
  // The chunk of the counter, cached: the hot path marks its bit without a Map lookup.
  private head: Chunk | undefined;
  private headIndex = -1;
  private readonly claimed = new MacSet();

  constructor(random: RandomFill) {
    const bytes = new Uint8Array(12);
    random(bytes);
    const key = (i: number) => ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    this.keys = [key(0), key(3), key(6), key(9)];
  }

  get size(): number {
    return this.generatedLive + this.claimed.size;
  }

  /** A MAC not in use here, now marked in use; `undefined` after `attempts` MACs claimed from outside. */
  generate(attempts: number): number | undefined {
    for (let i = 0; i < attempts && this.counter < SPACE; i++) {
      const c = this.counter++;
      const mac = this.permute(c);
      if (this.claimed.size !== 0 && this.claimed.has(mac)) continue;
      this.mark(c);
      return mac;
    }
    return undefined;
  }

  has(mac: number): boolean {
    return this.liveCounter(mac) !== undefined || this.claimed.has(mac);
  }

  /** Claims a MAC from outside (static, restored); false when it is already in use. */
  add(mac: number): boolean {
    if (this.liveCounter(mac) !== undefined) return false;
    return this.claimed.add(mac);
  }

  /** Frees a MAC; false when it was not in use. */
  delete(mac: number): boolean {
    const c = this.liveCounter(mac);
    if (c === undefined) return this.claimed.delete(mac);
    const index = chunkOf(c);
    const chunk = this.chunks.get(index) as Chunk;
    chunk.words[wordOf(c)] = (chunk.words[wordOf(c)] as number) & ~bitOf(c);
    this.generatedLive--;
    if (--chunk.live === 0) this.dropChunk(index);
    return true;
  }

  /** Chunks of live bits held: memory is proportional to this, not to the counter. */
  get chunkCount(): number {
    return this.chunks.size;
  }

  /** The counter of `mac` when it is a live generated MAC (its bit set), else `undefined`. */
  private liveCounter(mac: number): number | undefined {
    const c = this.counterOf(mac);
    if (c === undefined || c >= this.counter) return undefined;
    const chunk = this.chunks.get(chunkOf(c));
    return chunk !== undefined && ((chunk.words[wordOf(c)] as number) & bitOf(c)) !== 0 ? c : undefined;
  }

  private mark(c: number): void {
    const index = chunkOf(c);
    if (index !== this.headIndex) {
      this.head = { words: new Uint32Array(CHUNK_WORDS), live: 0 };
      this.headIndex = index;
      this.chunks.set(index, this.head);
    }
    const chunk = this.head as Chunk;
    chunk.words[wordOf(c)] = (chunk.words[wordOf(c)] as number) | bitOf(c);
    chunk.live++;
    this.generatedLive++;
  }

  private dropChunk(index: number): void {
    this.chunks.delete(index);
    // The counter's chunk stays cached only while it is in the map, so a later mark re-adds it.
    if (index === this.headIndex) this.headIndex = -1;
  }

  private round(x: number, k: number): number {
    let h = Math.imul(x ^ k, 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca6b);
    return h >>> 9; // the top 23 bits
  }

  /** Counter -> MAC: the permuted 46 bits, with the U/L bit set and the I/G bit clear. */
  private permute(c: number): number {
    const k = this.keys;
    let l = c & HALF_MASK;
    let r = Math.floor(c / HALF);
    for (let i = 0; i < 4; i++) {
      const t = r;
      r = l ^ this.round(r, k[i] as number);
      l = t;
    }
    const p = r * HALF + l;
    return (Math.floor(p / TWO_40) * 4 + 2) * TWO_40 + (p % TWO_40);
  }

  /** MAC -> counter, or `undefined` for a MAC no counter maps to (not locally administered unicast). */
  private counterOf(mac: number): number | undefined {
    const first = Math.floor(mac / TWO_40);
    if ((first & 3) !== 2) return undefined;
    const p = (first >>> 2) * TWO_40 + (mac % TWO_40);
    const k = this.keys;
    let r = Math.floor(p / HALF);
    let l = p % HALF;
    for (let i = 3; i >= 0; i--) {
      const t = l;
      l = r ^ this.round(l, k[i] as number);
      r = t;
    }
    return r * HALF + l;
  }
}
