import { GraphQLEnumType, type GraphQLInterfaceType, getNamedType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ERROR_CLASSES } from '../../src/domain/errors.js';
import { schema } from '../../src/schema/index.js';

/** The one error model: every code a client can meet is a value of `ErrorCode`. */
describe('ErrorCode', () => {
  const errorCode = schema.getType('ErrorCode') as GraphQLEnumType;

  it('has one value per registered error, each described once', () => {
    const values = new Map(errorCode.getValues().map((v) => [v.name, v.description]));
    for (const [name, cls] of Object.entries(ERROR_CLASSES)) {
      expect({ name, code: cls.code, present: values.has(cls.code) }).toEqual({
        name,
        code: cls.code,
        present: true,
      });
    }
    const descriptions = [...values.values()];
    expect(new Set(descriptions).size).toBe(descriptions.length);
    expect([...values.keys()]).toEqual(
      expect.arrayContaining(['INTERNAL_SERVER_ERROR', 'GRAPHQL_VALIDATION_FAILED']),
    );
  });

  it('is the type of Error.code, on the interface and on every error type', () => {
    const error = schema.getType('Error') as GraphQLInterfaceType;
    expect(getNamedType(error.getFields().code!.type)).toBe(errorCode);
    for (const type of schema.getImplementations(error).objects) {
      expect({ type: type.name, code: getNamedType(type.getFields().code!.type).name }).toEqual({
        type: type.name,
        code: 'ErrorCode',
      });
    }
  });

  it('types the other codes as enums too', () => {
    const typeOf = (type: string, field: string) =>
      getNamedType(
        (schema.getType(type) as GraphQLInterfaceType).getFields()[field]!.type,
      ).toString();
    expect(typeOf('OtpRateLimited', 'limit')).toBe('OtpLimit');
    expect(typeOf('VendorUnavailable', 'reason')).toBe('VendorFailureReason');
    expect(typeOf('OrderFailure', 'code')).toBe('OrderFailureCode');
    expect(typeOf('OrderFailure', 'vendorCode')).toBe('String');
    expect(schema.getType('OrderFailureCode')).toBeInstanceOf(GraphQLEnumType);
  });
});
