// The 400 a request that does not fit its schema answers: Ajv's words, one per error, with what
// two of them leave out. "must be equal to one of the allowed values" names them, and "must NOT
// have additional properties" names the field, so a caller can fix the request from the message.
import type { FastifySchemaValidationError, FastifyServerOptions } from 'fastify';

/** Allowed values listed up to this many; a longer list is the OpenAPI document's to show. */
const MAX_LISTED = 20;

const detail = (error: FastifySchemaValidationError): string => {
  const params = error.params as { allowedValues?: unknown; additionalProperty?: unknown };
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    const values = params.allowedValues;
    return values.length <= MAX_LISTED ? `: ${values.map(String).join(', ')}` : '';
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string')
    return ` (${JSON.stringify(params.additionalProperty.slice(0, 64))})`;
  return '';
};

/** Fastify's schemaErrorFormatter: `body/audience/kind must be equal to one of the allowed values: …`. */
export const schemaErrorFormatter: NonNullable<FastifyServerOptions['schemaErrorFormatter']> = (
  errors,
  dataVar,
) =>
  new Error(
    errors
      .map(
        (error) => `${dataVar}${error.instancePath || ''} ${error.message ?? 'is not valid'}${detail(error)}`,
      )
      .join(', '),
  );
