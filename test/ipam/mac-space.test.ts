import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MacSpace, formatMac, parseMac } from '../../src/ipam/index.js';

const randomBytes = (bytes: Uint8Array) => crypto.getRandomValues(bytes);

/** True for a locally administered unicast MAC: U/L bit set, I/G bit clear. */
function localUnicast(mac: number): boolean {
  return (Math.floor(mac / 2 ** 40) & 3) === 2;
}

describe('MacSpace', () => {
  it('generates distinct locally administered unicast MACs, even from a constant random source', () => {
    for (const random of [(b: Uint8Array) => b.fill(0), (b: Uint8Array) => b.fill(0xff), randomBytes]) {
      const space = new MacSpace(random);
      const seen = new Set<number>();
      for (let i = 0; i < 20_000; i++) {
        const mac = space.generate(1);
        assert.ok(mac !== undefined);
        assert.ok(localUnicast(mac), formatMac(mac));
        assert.equal(parseMac(formatMac(mac)), mac, 'a valid unicast MAC that parses back');
        seen.add(mac);
      }
      assert.equal(seen.size, 20_000);
      assert.equal(space.size, 20_000);
    }
  });

  it('spreads MACs like random ones: every free bit is set in about half of them', () => {
    const space = new MacSpace(randomBytes);
    const n = 8192;
    const ones = new Array<number>(48).fill(0);
    let sameStep = 0;
    let previous = 0;
    let step = 0;
    for (let i = 0; i < n; i++) {
      const mac = space.generate(1) as number;
      for (let b = 0; b < 48; b++) if (Math.floor(mac / 2 ** b) % 2 === 1) ones[b] = (ones[b] as number) + 1;
      if (mac - previous === step) sameStep++;
      step = mac - previous;
      previous = mac;
    }
    for (let b = 0; b < 48; b++) {
      if (b === 40) assert.equal(ones[b], 0, 'the I/G bit is always clear');
      else if (b === 41) assert.equal(ones[b], n, 'the U/L bit is always set');
      else assert.ok(Math.abs((ones[b] as number) / n - 0.5) < 0.05, `bit ${b} set in ${ones[b]} of ${n}`);
    }
    assert.ok(sameStep < 4, `${sameStep} consecutive MACs a constant step apart`);
  });

  it('draws new keys per space: two spaces rarely share a MAC', () => {
    const a = new MacSpace(randomBytes);
    const b = new MacSpace(randomBytes);
    const first = new Set(Array.from({ length: 1000 }, () => a.generate(1)));
    const shared = Array.from({ length: 1000 }, () => b.generate(1)).filter((m) => first.has(m)).length;
    assert.ok(shared < 3, `${shared} of 1000 MACs shared`);
  });

  it('skips a generated MAC claimed from outside, and gives up after the attempts', () => {
    const twin = new MacSpace((b) => b.fill(7));
    const upcoming = [twin.generate(1), twin.generate(1), twin.generate(1)] as number[];
    const space = new MacSpace((b) => b.fill(7));
    assert.equal(space.add(upcoming[0] as number), true, 'a restored MAC the generator has not reached yet');
    assert.equal(space.add(upcoming[1] as number), true);
    assert.equal(space.generate(2), undefined, 'both tries met a claimed MAC');
    assert.equal(space.generate(1), upcoming[2]);
    assert.equal(space.size, 3);
  });

  it('frees generated and claimed MACs alike, and never hands a freed one out again', () => {
    const space = new MacSpace(randomBytes);
    const g = space.generate(1) as number;
    assert.equal(space.add(g), false, 'a live generated MAC cannot be claimed');
    assert.equal(space.delete(g), true);
    assert.equal(space.has(g), false);
    assert.equal(space.delete(g), false);
    assert.equal(space.add(g), true, 'claimable once freed');
    assert.equal(space.has(g), true);
    assert.equal(space.delete(g), true);
    const universal = 0x00163e000001; // universally administered: no counter maps to it
    assert.equal(space.add(universal), true);
    assert.equal(space.has(universal), true);
    assert.equal(space.delete(universal), true);
    const later = new Set(Array.from({ length: 5000 }, () => space.generate(1)));
    assert.equal(later.has(g), false);
    assert.equal(space.size, 5000);
  });

  it('holds memory for live MACs, not for every MAC it ever generated', () => {
    const space = new MacSpace(randomBytes);
    const macs = Array.from({ length: 100_000 }, () => space.generate(1) as number);
    const chunks = space.chunkCount;
    for (let i = 0; i < macs.length; i++) if (i !== 50_000) assert.equal(space.delete(macs[i] as number), true);
    assert.ok(chunks >= 20, `${chunks} chunks for 100k live MACs`);
    assert.equal(space.chunkCount, 1, 'only the chunk of the one live MAC is left');
    assert.equal(space.has(macs[50_000] as number), true);
    assert.ok(space.generate(1) !== undefined);
    assert.equal(space.size, 2);
  });

  it('agrees with a plain set under any mix of generate, claim and free', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('generate' as const) }),
      fc.record({ kind: fc.constantFrom('add' as const, 'delete' as const, 'has' as const), pick: fc.nat(), fresh: fc.boolean(), raw: fc.integer({ min: 1, max: 2 ** 48 - 1 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.uint8Array({ minLength: 12, maxLength: 12 }), (ops, key) => {
        const space = new MacSpace((b) => b.set(key));
        const model = new Set<number>();
        const seen: number[] = [];
        for (const o of ops) {
          if (o.kind === 'generate') {
            // claims are random or already passed by the counter, so 8 upcoming MACs are never all claimed
            const mac = space.generate(8);
            assert.ok(mac !== undefined);
            assert.equal(model.has(mac), false, `generated ${formatMac(mac)}, which is in use`);
            model.add(mac);
            seen.push(mac);
            continue;
          }
          // mostly MACs already seen (generated or claimed), sometimes a new one
          const mac = o.fresh || seen.length === 0 ? o.raw : (seen[o.pick % seen.length] as number);
          seen.push(mac);
          if (o.kind === 'add') assert.equal(space.add(mac), !model.has(mac) && (model.add(mac), true));
          else if (o.kind === 'delete') assert.equal(space.delete(mac), model.delete(mac));
          else assert.equal(space.has(mac), model.has(mac));
          assert.equal(space.size, model.size);
        }
        for (const mac of seen) assert.equal(space.has(mac), model.has(mac));
      }),
      { numRuns: 300 },
    );
  });
});
