import { describe, expect, it } from 'vitest';
import { findPackage, packagesForTelco } from '../../src/domain/catalog.js';

describe('catalog', () => {
  it('holds the MobiFone retail programme packages with the documented prices and cycles', () => {
    expect(packagesForTelco('MOBIFONE').map((p) => [p.code, p.priceVnd, p.cycleDays])).toEqual([
      ['C120', 120_000, 30],
      ['3C120', 360_000, 90],
      ['6C120', 720_000, 180],
    ]);
  });

  it('gives the Viettel codes of the dmall document without invented prices', () => {
    const viettel = packagesForTelco('VIETTEL');
    expect(viettel.map((p) => p.code)).toEqual(['MP5X', 'V200B']);
    for (const p of viettel) {
      expect(p.priceVnd).toBeNull();
      expect(p.cycleDays).toBeNull();
      expect(p.benefits).toEqual([]);
    }
  });

  it('finds a package by code, case-insensitively', () => {
    expect(findPackage('6c120')?.priceVnd).toBe(720_000);
    expect(findPackage('NOPE')).toBeUndefined();
    expect(packagesForTelco('VINAPHONE')).toEqual([]);
  });
});
