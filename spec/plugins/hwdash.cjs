'use strict';
// Redocly plugin for the hwdash spec: one preprocessor and one rule, both about examples.
//
// Redocly lint does not validate Example Objects that use `externalValue`, and since
// Redocly CLI 2 a `$ref` inside `value` stays literal. The spec keeps every example value as
// a plain JSON file (spec/examples/*.json, also read by hwdash's mock generator) and points
// at it with `externalValue`. This preprocessor inlines those files before the rules run, so
// `no-invalid-media-type-examples` checks them against their schemas. It only affects
// linting: `redocly bundle` inlines `externalValue` files by itself.
//
// JSON.parse rounds the int64 IDs above 2^53 here, which is harmless for schema validation
// (they stay integers); it is why the bundle must not be the source of example IDs.
const { readFileSync } = require('node:fs');
const { dirname, resolve } = require('node:path');

function inlineExternalExamples() {
  return {
    Example: {
      enter(example, ctx) {
        const ref = example.externalValue;
        // Only relative file references: absolute URLs would need the network.
        if (typeof ref !== 'string' || /^[a-z][a-z0-9+.-]*:/i.test(ref)) return;
        const file = resolve(dirname(ctx.location.source.absoluteRef), ref);
        let text;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          ctx.report({ message: `Cannot read example file ${ref}: ${error.message}`, location: ctx.location.child('externalValue') });
          return;
        }
        try {
          example.value = JSON.parse(text);
        } catch (error) {
          ctx.report({ message: `Example file ${ref} is not valid JSON: ${error.message}`, location: ctx.location.child('externalValue') });
          return;
        }
        delete example.externalValue;
      },
    },
  };
}

// Literal numbers in the YAML files (schema `examples`, `enum`, `const`, `default`) are read as
// doubles by every tool, so an int64 ID above 2^53 written there is published rounded: exactly
// the defect of Microsoft's docs. Exact IDs belong in spec/examples/*.json only.
const LITERAL_KEYWORDS = ['example', 'examples', 'enum', 'const', 'default'];

function findUnsafeInteger(value) {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) {
      const found = findUnsafeInteger(child);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function noUnsafeIntegerLiterals() {
  return {
    Schema: {
      enter(schema, ctx) {
        for (const keyword of LITERAL_KEYWORDS) {
          const found = findUnsafeInteger(schema[keyword]);
          if (found !== undefined) {
            ctx.report({
              message: `\`${keyword}\` holds an integer above 2^53 (read as ${found}); put exact IDs in spec/examples/*.json instead.`,
              location: ctx.location.child(keyword),
            });
          }
        }
      },
    },
  };
}

module.exports = function hwdashLintPlugin() {
  return {
    id: 'hwdash',
    preprocessors: {
      oas3: { 'inline-external-examples': inlineExternalExamples },
    },
    rules: {
      oas3: { 'no-unsafe-integer-literals': noUnsafeIntegerLiterals },
    },
  };
};
