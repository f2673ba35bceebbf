/**
 * The inverse normal used for z (method.md section 7). Reference quantiles computed independently
 * to 60 digits with bc (Maclaurin series of Phi, then Newton's method), truncated here to 16
 * significant digits:
 *   Phi^-1(0.75)   = 0.6744897501960817 43...
 *   Phi^-1(0.9)    = 1.2815515655446004 67...
 *   Phi^-1(0.95)   = 1.6448536269514727 15...
 *   Phi^-1(0.975)  = 1.9599639845400542 36...
 *   Phi^-1(0.99)   = 2.3263478740408411 01...
 *   Phi^-1(0.995)  = 2.5758293035489007 61...
 *   Phi^-1(0.999)  = 3.0902323061678135 42...
 *   Phi^-1(0.9995) = 3.2905267314918947 93...
 */
import { describe, expect, test } from 'vitest';
import { erfc, inverseNormalCdf, normalCdf, significanceZ } from '../src/measure/normal.js';

const REF: [number, number][] = [
  [0.75, 0.674489750196081743],
  [0.9, 1.281551565544600467],
  [0.95, 1.644853626951472715],
  [0.975, 1.959963984540054236],
  [0.99, 2.326347874040841101],
  [0.995, 2.575829303548900761],
  [0.999, 3.090232306167813542],
  [0.9995, 3.290526731491894793],
];

describe('inverse normal', () => {
  test.each(REF)('Phi^-1(%s) to 1e-12', (p, z) => {
    expect(Math.abs(inverseNormalCdf(p) - z)).toBeLessThan(1e-12);
  });

  test.each(REF)('symmetry: Phi^-1(1 - %s) = -z', (p, z) => {
    expect(Math.abs(inverseNormalCdf(1 - p) + z)).toBeLessThan(1e-12);
  });

  test('Phi^-1(0.5) = 0 and p outside (0, 1) is refused', () => {
    expect(inverseNormalCdf(0.5)).toBe(0);
    expect(() => inverseNormalCdf(0)).toThrow(RangeError);
    expect(() => inverseNormalCdf(1)).toThrow(RangeError);
  });

  test('Phi and erfc at known points: Phi(0) = 0.5, erfc(0) = 1, erfc(1) = 0.157299207050285130659, Phi(-3) = 0.00134989803163009452665', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(erfc(0)).toBe(1);
    expect(Math.abs(erfc(1) - 0.15729920705028513066)).toBeLessThan(1e-16);
    // relative accuracy in the tail
    expect(Math.abs(normalCdf(-3) / 0.00134989803163009452665 - 1)).toBeLessThan(1e-13);
  });

  test('significanceZ: two-sided uses 1 - (1 - c)/2, one-sided uses c', () => {
    // two-sided 0.95 -> Phi^-1(0.975); one-sided 0.95 -> Phi^-1(0.95); two-sided 0.5 -> Phi^-1(0.75).
    expect(Math.abs(significanceZ(0.95, 'two') - 1.959963984540054236)).toBeLessThan(1e-12);
    expect(Math.abs(significanceZ(0.95, 'one') - 1.644853626951472715)).toBeLessThan(1e-12);
    expect(Math.abs(significanceZ(0.5, 'two') - 0.674489750196081743)).toBeLessThan(1e-12);
  });
});
