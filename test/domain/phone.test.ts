import { describe, expect, it } from 'vitest';
import { InvalidPhoneNumber } from '../../src/domain/errors.js';
import { maskPhone, parsePhone } from '../../src/domain/phone.js';

describe('parsePhone', () => {
  it.each([
    '0936004420',
    '84936004420',
    '+84936004420',
    '093 600 4420',
    '093.600.4420',
    ' +84 93 600 44 20 ',
    '093-600-4420',
  ])('reads %j as the same subscriber', (input) => {
    expect(parsePhone(input)).toEqual({
      local: '0936004420',
      msisdn: '84936004420',
      e164: '+84936004420',
      telco: 'MOBIFONE',
    });
  });

  it.each([
    '',
    '12345',
    '093600442',
    '09360044201',
    '0236004420',
    '+85936004420',
    '0936O04420',
    '936004420',
    '+0936004420',
    '84 (93) 600 4420',
  ])('rejects %j', (input) => {
    expect(() => parsePhone(input)).toThrow(InvalidPhoneNumber);
    expect(() => parsePhone(input)).toThrow(expect.objectContaining({ input }));
  });
});

describe('telco detection (libphonenumber carrier data for +84)', () => {
  it.each([
    ['0337880699', 'VIETTEL'],
    ['0391234567', 'VIETTEL'],
    ['0861234567', 'VIETTEL'],
    ['0961234567', 'VIETTEL'],
    ['0981234567', 'VIETTEL'],
    ['0701234567', 'MOBIFONE'],
    ['0791234567', 'MOBIFONE'],
    ['0891234567', 'MOBIFONE'],
    ['0901234567', 'MOBIFONE'],
    ['0936004420', 'MOBIFONE'],
    ['0811234567', 'VINAPHONE'],
    ['0851234567', 'VINAPHONE'],
    ['0881234567', 'VINAPHONE'],
    ['0911234567', 'VINAPHONE'],
    ['0941234567', 'VINAPHONE'],
    ['0521234567', 'VIETNAMOBILE'],
    ['0561234567', 'VIETNAMOBILE'],
    ['0581234567', 'VIETNAMOBILE'],
    ['0921234567', 'VIETNAMOBILE'],
    ['0591234567', 'GMOBILE'],
    ['0993123456', 'GMOBILE'],
    ['0997123456', 'GMOBILE'],
    ['0871234567', 'ITEL'],
    ['0998123456', 'ITEL'],
    ['0999123456', 'ITEL'],
    ['0551234567', 'REDDI'],
    ['0711234567', 'UNKNOWN'],
    ['0992123456', 'UNKNOWN'],
  ])('%s is %s', (phone, telco) => {
    expect(parsePhone(phone).telco).toBe(telco);
  });
});

describe('maskPhone', () => {
  it('keeps the first three and last three digits of the local form', () => {
    expect(maskPhone('0936004420')).toBe('093****420');
    expect(maskPhone('84936004420')).toBe('093****420');
    expect(maskPhone('+84936004420')).toBe('093****420');
    expect(maskPhone('123')).toBe('***');
  });
});
