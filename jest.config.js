// Two projects: fast unit specs next to the code, and end-to-end specs in test/ that start the
// three apps on real ports against the real RabbitMQ (run in band: they share the broker).
// Every library under libs/<name>/src by its @app/<name> alias, as in tsconfig.json: its index.ts
// only (so libraries that `nest generate library` adds resolve without editing this file).
const moduleNameMapper = {
  '^@app/([^/]+)$': '<rootDir>/libs/$1/src',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
};

/** @type {import('jest').Config} */
module.exports = {
  // Jest reads testTimeout from the root config only, not per project; unit tests are far quicker.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/bench', '<rootDir>/tools'],
      testMatch: ['**/*.spec.ts'],
      transform,
      moduleNameMapper,
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      moduleFileExtensions: ['ts', 'js', 'json'],
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      transform,
      moduleNameMapper,
    },
  ],
};
