/**
 * ESLint here guards the shape of the code only (type checking is tsc's job, formatting is the editor's): no file
 * under src/ over 400 lines and no function over 80, so that each file keeps one concern and each function reads in
 * one screen. `npm run lint:size` runs it; CI fails on a violation.
 */
import tseslint from 'typescript-eslint';

export default tseslint.config({
  files: ['src/**/*.ts'],
  languageOptions: { parser: tseslint.parser },
  linterOptions: { reportUnusedDisableDirectives: 'error' },
  rules: {
    'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
    'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
  },
});
