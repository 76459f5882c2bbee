// Lint rules, including the import boundaries that keep coffer's layers apart:
//   cli -> pipelines (archiver, restorer, checker, walker) -> repository -> {format, crypto, backend}
// chunker, format, crypto and backend are leaves; backend never sees crypto;
// nothing below cli/ may import cli/.
import tseslint from 'typescript-eslint';

const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((group) => ({ group: [`**/${group}/*`, `**/${group}`], message: why })),
    }],
  },
});

const pipelines = ['archiver', 'restorer', 'checker', 'walker'];
pipelines.push('copier', 'repairer'); // issue 6: copy between repositories, repair snapshots
pipelines.push('pruner'); // garbage collection (docs/format.md "Garbage collection (prune)")

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scripts/**', 'bin/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**', 'src/**/*.test.ts', 'src/**/testing.ts'], rules: { 'no-console': 'off' } },
  layer(['src/chunker/**'], ['cli', 'repository', 'format', 'crypto', 'backend', 'source', ...pipelines],
    'chunker is a pure leaf: bytes in, boundaries out'),
  layer(['src/codec/**'], ['cli', 'repository', 'format', 'crypto', 'backend', 'chunker', 'source', ...pipelines],
    'codec is a leaf: compression only'),
  layer(['src/crypto/**'], ['cli', 'repository', 'format', 'backend', 'chunker', 'source', ...pipelines],
    'crypto is a leaf: primitives only'),
  layer(['src/format/**'], ['cli', 'repository', 'crypto', 'backend', 'chunker', 'source', ...pipelines],
    'format is a pure leaf: encode/decode of stored structures'),
  layer(['src/backend/**'], ['cli', 'repository', 'crypto', 'format', 'chunker', 'source', ...pipelines],
    'backend stores opaque named objects and never sees keys or plaintext'),
  layer(['src/source/**'], ['cli', 'repository', 'crypto', 'backend', ...pipelines],
    'source is the local filesystem; it knows nothing of the repository'),
  layer(['src/repository/**'], ['cli', 'source', ...pipelines],
    'repository sits below the pipelines'),
  layer(pipelines.map((p) => `src/${p}/**`), ['cli'],
    'pipelines never reach up into the CLI'),
  layer(['src/retention/**'], ['cli', 'repository', 'format', 'crypto', 'backend', 'chunker', 'codec', 'source', ...pipelines],
    'retention is a pure leaf: (snapshots, rules, time zone) -> keep/remove and why'),
);
