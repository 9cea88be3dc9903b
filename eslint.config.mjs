// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// The few Node globals our plain-JS files use; spelled out so that lint needs no extra package.
const nodeGlobals = Object.fromEntries(
  [
    'process',
    'console',
    'require',
    'module',
    'exports',
    '__dirname',
    '__filename',
    'Buffer',
    'URL',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'setImmediate',
    'queueMicrotask',
    'performance',
    'fetch',
    'AbortController',
    'AbortSignal',
    'structuredClone',
    'TextEncoder',
    'TextDecoder',
  ].map((name) => [name, 'readonly']),
);

// The browser globals the live board's script uses (apps/order/src/board/board.js).
const browserGlobals = Object.fromEntries(
  [
    'document',
    'window',
    'fetch',
    'EventSource',
    'FormData',
    'requestAnimationFrame',
    'console',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/coverage/**',
      '**/results/**',
      'jest.config.js',
      '**/*.tsbuildinfo',
    ],
  },

  // Plain JavaScript (config files, bench/baseline/*.js): the basic rules, no type information.
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [eslint.configs.recommended],
    languageOptions: { ecmaVersion: 2023, globals: nodeGlobals },
  },
  { files: ['**/*.{js,cjs}'], languageOptions: { sourceType: 'commonjs' } },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  // The live board's page script runs in the browser, as a classic script.
  {
    files: ['apps/*/src/board/*.js'],
    languageOptions: { sourceType: 'script', globals: browserGlobals },
  },

  // TypeScript: recommended with type information, from tsconfig.json.
  {
    files: ['**/*.ts'],
    extends: [eslint.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      'require-await': 'off',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/dist', '**/dist/**'],
              message: "Import a package's public entry point, never its compiled dist/.",
            },
            {
              group: ['@app/*/**'],
              message:
                'Import a library through its alias only (its index.ts), e.g. @app/contracts.',
            },
          ],
        },
      ],
    },
  },

  // Production code logs through Nest's Logger; the benchmark and tests may print.
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: { 'no-console': 'error' },
  },

  // Jest specs poke at mocks and untyped JSON bodies; the unsafe-* rules only add noise there.
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // Last, so that formatting is Prettier's business alone.
  prettier,
);
