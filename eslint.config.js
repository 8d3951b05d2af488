// Lint rules: typescript-eslint's recommended set over src, test, bench and bin, and the rules of
// the house over src (eslint/house-rules.js: which folder may import which; who reads the clock).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import house from './eslint/house-rules.js';

export default tseslint.config(
  { ignores: ['dist/**', '.dist-build-*/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        setImmediate: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly',
        TextDecoder: 'readonly', structuredClone: 'readonly', fetch: 'readonly', Response: 'readonly',
        Headers: 'readonly', Request: 'readonly', queueMicrotask: 'readonly', performance: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The Backup center runs in a browser (src/web/, bundled by scripts/web-bundle.js).
    files: ['src/web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: {
        window: 'readonly', document: 'readonly', location: 'readonly', sessionStorage: 'readonly', Storage: 'readonly',
        FormData: 'readonly', HTMLFormElement: 'readonly', HTMLSelectElement: 'readonly', Event: 'readonly',
        addEventListener: 'readonly', removeEventListener: 'readonly', URLSearchParams: 'readonly',
      },
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    plugins: { house },
    rules: { 'house/layers': 'error', 'house/clock': 'error' },
  },
  {
    // Being moved by other work; they read the clock through src/util/clock.ts after it lands.
    files: ['src/jobs/throttle.ts'],
    rules: { 'house/clock': 'off' },
  },
);
