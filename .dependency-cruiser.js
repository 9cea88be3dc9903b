// The architecture, checked on every `npm run lint`: bounded contexts talk only through the
// libraries' front doors, and the domain and application code never depend on an adapter.
// Modelled on Sairyss/domain-driven-hexagon's .dependency-cruiser.js.

// Where a context keeps its adapters: infrastructure/ and interface/ folders, and controllers
// (which may live beside their use case in application/, e.g. place-order.http.controller.ts).
// (Two patterns rather than one with a nested quantifier, which depcruise rejects as unsafe.)
const inLayer = (layers) => [`^apps/[^/]+/src/(?:${layers})/`, `^apps/[^/]+/src/.*/(?:${layers})/`];
const ADAPTER_DIRS = inLayer('infrastructure|interface');
const CONTROLLER = '\\.controller\\.ts$';
// Composition roots and tests may reach adapters wherever they sit.
const WIRING_OR_TEST = ['\\.module\\.ts$', '\\.spec\\.ts$', CONTROLLER];
const LIB_INDEX = '^libs/[^/]+/src/index\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cross-app-imports',
      comment:
        'An app never imports another app: bounded contexts share only @app/contracts ' +
        '(and the other libraries), over HTTP or RabbitMQ.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-not-to-apps',
      comment: 'Libraries are shared by every app, so they cannot depend on any one of them.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'not-to-dist',
      comment: 'Never import compiled output: import the source through its alias.',
      severity: 'error',
      from: {},
      // A package's own dist/ is fine, also where node_modules resolves outside the tree (the
      // generators test links it into a copy).
      to: { path: '(^|/)dist/', pathNot: '(^|/)node_modules/' },
    },
    {
      name: 'libs-only-through-their-index',
      comment:
        "Code outside a library uses it through its alias (@app/<lib>, the library's " +
        'index.ts), never a file inside it.',
      severity: 'error',
      from: { path: '^(?:apps|test|bench|tools)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: LIB_INDEX },
    },
    {
      name: 'libs-only-through-their-index-between-libs',
      comment: "One library uses another only through that library's alias (its index.ts).",
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', LIB_INDEX] },
    },
    {
      name: 'libs-only-through-their-alias',
      comment:
        'Reach a library by its @app/<lib> alias, not by a relative path into libs/ ' +
        '(the alias is what nest build and jest map).',
      severity: 'error',
      from: { path: '^(?:apps|test|bench|tools)/' },
      to: { path: '^libs/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'libs-only-through-their-alias-between-libs',
      comment: 'Reach another library by its @app/<lib> alias, not by a relative path.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: '^libs/$1/', dependencyTypesNot: ['aliased-tsconfig-paths'] },
    },
    {
      name: 'domain-and-application-not-to-adapters',
      comment:
        'Domain and application code (commands, events, queries, handlers) never import an ' +
        'adapter (infrastructure/, interface/, *.controller.ts): adapters depend on them, ' +
        'not the other way round. Modules (composition) and specs are exempt.',
      severity: 'error',
      from: {
        path: inLayer('domain|application'),
        pathNot: WIRING_OR_TEST,
      },
      to: { path: [...ADAPTER_DIRS, CONTROLLER] },
    },
    {
      name: 'domain-not-to-application',
      comment: 'The domain is the innermost layer: it does not know its use cases.',
      severity: 'error',
      from: { path: inLayer('domain'), pathNot: '\\.spec\\.ts$' },
      to: { path: inLayer('application') },
    },
    {
      name: 'gateway-forwards-only',
      comment:
        'The gateway forwards bytes between clients and services: it knows no context, so it ' +
        'never imports their contracts (it does not validate bodies), messaging or storage.',
      severity: 'error',
      from: { path: '^apps/gateway/' },
      to: { path: '^libs/(?:contracts|messaging|storage)/' },
    },
    {
      name: 'no-circular',
      comment:
        'Circular imports make load order matter (undefined providers in Nest). ' +
        'Cycles made of type-only imports vanish at run time and are allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (catches typos and aliases jest and nest would not map).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-spec',
      comment: 'Production code never imports a test.',
      severity: 'error',
      from: { pathNot: '\\.(?:e2e-)?spec\\.ts$' },
      to: { path: '\\.(?:e2e-)?spec\\.ts$' },
    },
    {
      name: 'not-to-dev-dep',
      comment:
        'The apps run with production dependencies only (the Dockerfile installs ' +
        '--omit=dev): their code may not need a devDependency at run time.',
      severity: 'error',
      from: { path: '^(?:apps|libs)/', pathNot: '\\.spec\\.ts$' },
      to: {
        dependencyTypes: ['npm-dev'],
        dependencyTypesNot: ['type-only'],
        pathNot: ['^node_modules/@types/'],
      },
    },
    {
      name: 'no-non-package-json',
      comment:
        'Every package imported is declared in package.json, not just present as ' +
        "someone else's dependency.",
      severity: 'error',
      from: {},
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['(^|/)coverage/', '(^|/)results/'] },
    moduleSystems: ['cjs', 'es6'],
    // tools/schematics has a package.json of its own (so that nest-cli.json can name the
    // collection); its imports are declared in the root package.json, read as well.
    combinedDependencies: true,
    // Count `import type` too, so that a domain file cannot lean on an adapter's types.
    tsPreCompilationDeps: true,
    // Resolve the @app/* aliases exactly as tsc does.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json', '.d.ts'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
