import { describe, expect, it } from 'vitest';
import {
  checkBirthDate,
  examplePhone,
  normaliseFullName,
  normalisePhone,
  parseBirthDate,
} from '../../src/domain/patients.ts';

const today = new Date(Date.UTC(2026, 10, 24));

describe('normaliseFullName', () => {
  it.each([
    ['  Nguyễn   Thị  Lan ', 'Nguyễn Thị Lan'],
    ['王小明', '王小明'],
    ["Marie-Claire O'Neil", "Marie-Claire O'Neil"],
  ])('accepts %j', (input, expected) => expect(normaliseFullName(input)).toBe(expected));
  it.each(['A', '12345', 'R2D2', 'x'.repeat(101), '   '])('refuses %j', (input) =>
    expect(normaliseFullName(input)).toBeUndefined(),
  );
});

describe('parseBirthDate', () => {
  it.each([
    ['1980-12-31', '1980-12-31'],
    ['31/12/1980', '1980-12-31'],
    ['31.12.1980', '1980-12-31'],
    ['1980/12/31', '1980-12-31'],
    ['1980年12月31日', '1980-12-31'],
    ['5/6/1990', '1990-06-05'],
    ['31/12/2523', '1980-12-31'],
  ])('%s → %s', (input, expected) => expect(parseBirthDate(input, today)).toBe(expected));
  it.each(['31/02/1980', '2030-01-01', '1800-01-01', 'yesterday', '12/31/1980', ''])('refuses %j', (input) =>
    expect(parseBirthDate(input, today)).toBeUndefined(),
  );
});

describe('checkBirthDate: date errors that say what is wrong', () => {
  it.each([
    ['31/02/1980', 'impossible'],
    ['1990-13-01', 'impossible'],
    ['2030-01-01', 'future'],
    ['25/11/2026', 'future'],
    ['1800-01-01', 'tooLongAgo'],
    ['yesterday', 'unreadable'],
    ['12/31/1980', 'impossible'],
    ['', 'unreadable'],
  ])('%j is %s', (input, problem) => expect(checkBirthDate(input, today)).toEqual({ problem }));
  it('accepts today', () => expect(checkBirthDate('24/11/2026', today)).toEqual({ date: '2026-11-24' }));
});

describe('normalisePhone', () => {
  it.each([
    ['0912 345 678', 'VN', '+84912345678', 'VN'],
    ['+84 912 345 678', 'TH', '+84912345678', 'VN'],
    ['081 234 5678', 'TH', '+66812345678', 'TH'],
    ['138 0013 8000', 'CN', '+8613800138000', 'CN'],
    ['06 12 34 56 78', 'FR', '+33612345678', 'FR'],
    ['090-1234-5678', 'JP', '+819012345678', 'JP'],
  ])('%s in %s → %s', (input, country, e164, detected) => {
    expect(normalisePhone(input, country)).toEqual({ e164, country: detected });
  });
  it.each([
    ['12345', 'VN'],
    ['0912 345', 'VN'],
    ['not a number', 'FR'],
  ])('refuses %s in %s', (input, country) => expect(normalisePhone(input, country)).toBeUndefined());
  it('gives a national example number', () => expect(examplePhone('VN')).toMatch(/^0\d/));
});
