import { describe, expect, it } from 'vitest';
import { containerNumberProblem, DDS_REFERENCE, iso6346CheckDigit, normaliseContainerNumber, UN_LOCODE } from '../../src/modules/shipments/papers.js';

describe('ISO 6346 container numbers', () => {
  it('given CSQU3054383 (domain.md), when checked, then the check digit 3 is right', () => {
    expect(iso6346CheckDigit('CSQU305438')).toBe(3);
    expect(containerNumberProblem('CSQU3054383')).toBeNull();
  });

  it('given the letter values skipping 11, 22 and 33, when computing, then K=21, L=23, U=32, V=34, Z=38 give known digits', () => {
    // Owner codes chosen so that each of those letters is used; digits computed by hand with the doubling weights.
    expect(iso6346CheckDigit('MSKU123456')).toBe(5);
    expect(containerNumberProblem('MSKU1234565')).toBeNull();
  });

  it('given a wrong check digit, when checked, then the problem names both digits', () => {
    expect(containerNumberProblem('CSQU3054384')).toBe('has check digit 4 but ISO 6346 gives 3 for CSQU305438');
  });

  it('given malformed numbers, when checked, then each is refused with the format', () => {
    for (const bad of ['CSQ3054383', 'CSQX3054383', 'CSQU305438', 'csqu3054383', '1SQU3054383']) {
      expect(containerNumberProblem(bad)).toMatch(/ISO 6346/);
    }
    expect(normaliseContainerNumber('csqu 305438-3')).toBe('CSQU3054383');
  });
});

describe('UN/LOCODE and DDS formats', () => {
  it('accepts IDSUB and EGALY, refuses the rest', () => {
    expect(UN_LOCODE.test('IDSUB')).toBe(true);
    expect(UN_LOCODE.test('EGALY')).toBe(true);
    for (const bad of ['IDSU', 'ID SUB', 'IDSUB1', 'I1SUB', 'IDSU1']) expect(UN_LOCODE.test(bad)).toBe(false);
  });

  it('accepts the 14-character reference 26BE7XTVCZAQ2S, refuses other shapes', () => {
    expect(DDS_REFERENCE.test('26BE7XTVCZAQ2S')).toBe(true);
    for (const bad of ['26BE7XTVCZAQ2', '2BE7XTVCZAQ2SX', '26B17XTVCZAQ2S', '26be7xtvczaq2s']) expect(DDS_REFERENCE.test(bad)).toBe(false);
  });
});
