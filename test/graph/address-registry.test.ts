import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asAddress } from '../../src/domain/index.ts';
import { AddressRegistry, AddressRegistryWriter } from '../../src/graph/index.ts';
import { Random } from '../helpers/random.ts';

describe('address registry', () => {
  test('string and byte registration agree, across growth of the shared buffers, for readers too', () => {
    const rng = new Random(5);
    const writer = new AddressRegistryWriter(AddressRegistryWriter.allocate(1 << 14));
    const reader = new AddressRegistry(writer.handle);
    const addresses = Array.from({ length: 5000 }, () => asAddress('0x' + rng.hex(20)));
    const raw = Buffer.alloc(7 + 20 * addresses.length);
    addresses.forEach((a, i) => raw.write(a.slice(2), 7 + 20 * i, 'hex'));
    for (let i = 0; i < addresses.length; i++) {
      // alternate the two entry points; the byte one reads at an offset
      const index = i % 2 === 0 ? writer.register(addresses[i]!) : writer.registerBytes(raw, 7 + 20 * i);
      assert.equal(index, i + 1);
    }
    assert.equal(writer.count, addresses.length + 1);
    for (let i = 0; i < addresses.length; i++) {
      assert.equal(writer.registerBytes(raw, 7 + 20 * i), i + 1, 'a second registration returns the same index');
      assert.equal(reader.lookup(addresses[i]!), i + 1);
      assert.equal(reader.lookupBytes(raw, 7 + 20 * i), i + 1);
      assert.equal(reader.address(i + 1), addresses[i]);
    }
    assert.equal(reader.lookup(asAddress('0x' + '00'.repeat(19) + '01')), -1);
    writer.setReachable(4000, true);
    assert.equal(reader.isAddressReachable(addresses[3999]!), true);
    assert.equal(reader.isAddressReachable(addresses[3998]!), false);
  });

  test('a full registry refuses new addresses and keeps the known ones', () => {
    const writer = new AddressRegistryWriter(AddressRegistryWriter.allocate(64)); // 32 addresses
    const bytes = Buffer.alloc(20);
    for (let i = 1; i < 32; i++) {
      bytes.writeUInt32BE(i, 16);
      assert.equal(writer.registerBytes(bytes, 0), i);
    }
    bytes.writeUInt32BE(999, 16);
    assert.equal(writer.registerBytes(bytes, 0), null);
    bytes.writeUInt32BE(7, 16);
    assert.equal(writer.registerBytes(bytes, 0), 7);
  });
});
