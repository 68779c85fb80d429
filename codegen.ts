import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed client code from the committed SDL and the example operations. Works offline: it reads
 * files only. Output goes to generated/ (not committed) and is type-checked by `npm test`.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['operations/**/*.graphql'],
  ignoreNoDocuments: false,
  // ESM output with .js extensions, as nodenext resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    'generated/client/': {
      preset: 'client',
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        // Both custom scalars travel as ISO-8601 strings; strictScalars makes a new scalar fail
        // codegen until it is mapped here (instead of typing it `any`).
        strictScalars: true,
        scalars: { DateTime: 'string', Date: 'string' },
      },
      // persisted-documents.json: the manifest of trusted documents (TRUSTED_DOCUMENTS).
      presetConfig: { fragmentMasking: false, persistedDocuments: true },
    },
  },
};

export default config;
