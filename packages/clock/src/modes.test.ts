import { describe, expect, it } from 'vitest';
import { parseClockMode, parseDuration, parseRandomMode, parseRfc3339 } from './modes.ts';

const S = 1_000_000_000n;

describe('parseRfc3339', () => {
  it('reads UTC date-times as ns since the epoch', () => {
    expect(parseRfc3339('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseRfc3339('2000-01-01T00:00:00Z')).toBe(946_684_800n * S);
    // RFC 3339 §5.8 examples
    expect(parseRfc3339('1985-04-12T23:20:50.52Z')).toBe(482_196_050_520_000_000n);
    expect(parseRfc3339('1996-12-19T16:39:57-08:00')).toBe(851_042_397n * S);
  });

  it('applies offsets, fractions, lower-case letters and leap seconds', () => {
    expect(parseRfc3339('2000-01-01T01:00:00+01:00')).toBe(946_684_800n * S);
    expect(parseRfc3339('1970-01-01t00:00:01.000000001z')).toBe(S + 1n);
    expect(parseRfc3339('1970-01-01T00:00:00.5Z')).toBe(S / 2n);
    expect(parseRfc3339('1969-12-31T23:00:00-02:00')).toBe(3600n * S);
    expect(parseRfc3339('2000-01-01T00:00:00-00:00')).toBe(946_684_800n * S);
    // 23:59:60 is the same instant as the next midnight in POSIX time
    expect(parseRfc3339('1990-12-31T23:59:60Z')).toBe(662_688_000n * S);
    expect(parseRfc3339('2000-02-29T00:00:00Z')).toBe(951_782_400n * S);
  });

  it('rejects malformed and unrepresentable date-times with clear messages', () => {
    expect(() => parseRfc3339('2000-01-01T00:00:00')).toThrow(/not an RFC 3339 date-time/);
    expect(() => parseRfc3339('2000-01-01 00:00:00Z')).toThrow(/not an RFC 3339/);
    expect(() => parseRfc3339('2000-1-01T00:00:00Z')).toThrow(/not an RFC 3339/);
    expect(() => parseRfc3339('')).toThrow(/not an RFC 3339/);
    expect(() => parseRfc3339('2000-13-01T00:00:00Z')).toThrow(/month out of range/);
    expect(() => parseRfc3339('2000-02-30T00:00:00Z')).toThrow(/day out of range/);
    expect(() => parseRfc3339('2001-02-29T00:00:00Z')).toThrow(/day out of range/);
    expect(() => parseRfc3339('1900-02-29T00:00:00Z')).toThrow(/day out of range/);
    expect(() => parseRfc3339('2000-01-01T24:00:00Z')).toThrow(/hour out of range/);
    expect(() => parseRfc3339('2000-01-01T00:60:00Z')).toThrow(/minute out of range/);
    expect(() => parseRfc3339('2000-01-01T00:00:61Z')).toThrow(/second out of range/);
    expect(() => parseRfc3339('2000-01-01T00:00:00+24:00')).toThrow(/offset out of range/);
    expect(() => parseRfc3339('2000-01-01T00:00:00.1234567891Z')).toThrow(/nanosecond/);
    expect(() => parseRfc3339('1969-12-31T23:59:59Z')).toThrow(/before 1970/);
    expect(() => parseRfc3339('2600-01-01T00:00:00Z')).toThrow(/after 2554/);
  });
});

describe('parseDuration', () => {
  it('reads signed unit terms', () => {
    expect(parseDuration('-90s')).toBe(-90n * S);
    expect(parseDuration('+2h')).toBe(7200n * S);
    expect(parseDuration('1d')).toBe(86_400n * S);
    expect(parseDuration('500ms')).toBe(500_000_000n);
    expect(parseDuration('1h30m')).toBe(5400n * S);
    expect(parseDuration('1m')).toBe(60n * S);
    expect(parseDuration('10us')).toBe(10_000n);
    expect(parseDuration('10µs')).toBe(10_000n);
    expect(parseDuration('7ns')).toBe(7n);
    expect(parseDuration('-1d2h3m4s5ms')).toBe(-(93_784n * S + 5_000_000n));
    expect(parseDuration('0')).toBe(0n);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['90', '', '1.5h', '1x', '--1s', 'h', '1 s', '-', 's1', '1h-30m']) {
      expect(() => parseDuration(bad), bad).toThrow(/not a duration/);
    }
    expect(() => parseDuration('300000d')).toThrow(/out of range/);
    expect(parseDuration('106751d')).toBe(106_751n * 86_400n * S);
  });
});

describe('parseClockMode', () => {
  it('reads host, fixed:T and offset:D', () => {
    expect(parseClockMode(undefined)).toEqual({ kind: 'host' });
    expect(parseClockMode('host')).toEqual({ kind: 'host' });
    expect(parseClockMode('fixed:2000-01-01T00:00:00Z')).toEqual({ kind: 'fixed', start: 946_684_800n * S });
    expect(parseClockMode('offset:-90s')).toEqual({ kind: 'offset', offset: -90n * S });
  });

  it('names the option and the accepted forms when it fails', () => {
    expect(() => parseClockMode('now')).toThrow(/bad --clock "now": expected host, fixed:T/);
    expect(() => parseClockMode('fixed')).toThrow(/bad --clock/);
    expect(() => parseClockMode('Host')).toThrow(/bad --clock/);
    expect(() => parseClockMode('fixed:yesterday')).toThrow(/not an RFC 3339 date-time: "yesterday"/);
    expect(() => parseClockMode('offset:90')).toThrow(/not a duration: "90"/);
  });
});

describe('parseRandomMode', () => {
  it('reads host and seed:N over the whole u64 range', () => {
    expect(parseRandomMode(undefined)).toEqual({ kind: 'host' });
    expect(parseRandomMode('host')).toEqual({ kind: 'host' });
    expect(parseRandomMode('seed:42')).toEqual({ kind: 'seed', seed: 42n });
    expect(parseRandomMode('seed:0')).toEqual({ kind: 'seed', seed: 0n });
    expect(parseRandomMode('seed:18446744073709551615')).toEqual({ kind: 'seed', seed: 2n ** 64n - 1n });
  });

  it('rejects seeds that are not unsigned 64-bit decimals', () => {
    expect(() => parseRandomMode('seed:18446744073709551616')).toThrow(/larger than 2\^64-1/);
    for (const bad of ['seed:-1', 'seed:0x10', 'seed:', 'seed: 1', 'seed:1e3']) {
      expect(() => parseRandomMode(bad), bad).toThrow(/bad --random seed/);
    }
    expect(() => parseRandomMode('seed')).toThrow(/bad --random "seed": expected host or seed:N/);
    expect(() => parseRandomMode('42')).toThrow(/bad --random/);
  });
});
