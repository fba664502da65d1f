/**
 * The layering of design.md, enforced: spec → generated → client (the API and its vocabulary) and package (driver
 * package formats) → workflow (the signing flow) → cli. The mock (msw handlers and the sandbox) stands beside them and
 * may use client and package, never workflow or cli: the service's stand-in must not share the client's behaviour.
 * `npm run lint:layers` runs it; CI fails on any violation.
 */
const layer = (name) => `^src/${name}/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'client-is-the-bottom',
      comment: 'The client knows the API only: no package formats, no workflow, no CLI, no mock.',
      severity: 'error',
      from: { path: layer('client') },
      to: { path: [layer('package'), layer('workflow'), layer('cli'), layer('mock'), layer('action')] },
    },
    {
      name: 'package-below-workflow',
      comment: 'Driver package formats are read by the workflow and the sandbox alike; they use nothing above the client.',
      severity: 'error',
      from: { path: layer('package') },
      to: { path: [layer('workflow'), layer('cli'), layer('mock'), layer('action')] },
    },
    {
      name: 'workflow-below-cli',
      comment: 'The signing flow is a library; the CLI and the GitHub Action drive it, never the other way round.',
      severity: 'error',
      from: { path: layer('workflow') },
      to: { path: [layer('cli'), layer('mock'), layer('action')] },
    },
    {
      name: 'mock-stands-apart',
      comment: "The sandbox plays the service: it may use the API's vocabulary and the package formats, not the client's flow.",
      severity: 'error',
      from: { path: layer('mock') },
      to: { path: [layer('workflow'), layer('cli'), layer('action')] },
    },
    {
      name: 'action-is-a-top',
      comment: 'The GitHub Action drives the workflow on the client, beside the CLI: it uses neither the CLI nor the mock.',
      severity: 'error',
      from: { path: layer('action') },
      to: { path: [layer('cli'), layer('mock')] },
    },
    {
      name: 'nothing-uses-the-action',
      comment: 'The action is an entry point (its bundle); no other code imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: layer('action') },
      to: { path: layer('action') },
    },
    {
      name: 'src-uses-no-tests',
      comment: 'Shipped code never imports test support, scripts or benchmarks.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: ['^test/', '^scripts/', '^bench/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
