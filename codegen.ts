import type { CodegenConfig } from "@graphql-codegen/cli";

/** Typed client operations from the committed schema: `npm run codegen` writes client/generated/. */
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["client/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "client/generated/": {
      preset: "client",
      // Plain fragment types on results (no useFragment unmasking): the dashboard reads fields where it got them.
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: "string", Date: "string", JSON: "unknown", MinorUnits: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
