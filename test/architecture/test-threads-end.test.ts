import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const TEST_ROOT = path.resolve(__dirname, '..');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? testFiles(full) : entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** What starts a thread that holds a connection to a test's database: a sync engine, or a thread a test starts itself. */
const STARTS = [/new SyncEngine\(/, /new WorkerSyncEngine\(/, /new WalCheckpointer\(/, /=\s*\w*\(?SearchIndexBuild\.(?:start|follow)\(/, /import \{[^}]*\bengineFor\b[^}]*\} from '[^']*sync-fixture'/];
/** How a test ends it: the shared helper (test/support/shut-down-after-each.ts), or by hand. */
const ENDS = /useShutDownAfterEach\(|withShutDownAfterEach\(|\.shutdown\(\)|\.ended\(\)/;
const HELPER = /(?:use|with)ShutDownAfterEach\(/;
const LATER_HOOKS = [/useTempDir\(/, /useCloseAfterEach\(/];

/**
 * Which rules `source` breaks: a thread started and never ended (it may still write the -wal/-shm files as the folder is
 * removed: ENOTEMPTY under load), or the helper registered before the hooks that close the database and remove the
 * folder, which would then run first (hooks run last-defined first).
 */
export function threadRulesBroken(source: string): string[] {
  const broken: string[] = [];
  if (STARTS.some((start) => start.test(source)) && !ENDS.test(source)) broken.push('starts a sync engine or thread and never shuts it down');
  const helper = source.search(HELPER);
  if (helper >= 0 && LATER_HOOKS.some((hook) => source.search(hook) > helper)) broken.push('registers its shutdown before useTempDir or useCloseAfterEach');
  return broken;
}

describe('tests end the threads that write their database', () => {
  it('every test file that starts a sync engine, a WAL checkpointer or a search index build shuts it down before its folder goes', () => {
    const broken = testFiles(TEST_ROOT)
      .filter((file) => file !== __filename)
      .flatMap((file) => threadRulesBroken(fs.readFileSync(file, 'utf8')).map((rule) => `${path.relative(TEST_ROOT, file)}: ${rule}`));
    expect(broken).toEqual([]);
  });

  it('the check sees an engine left running and a shutdown registered too early', () => {
    expect(threadRulesBroken("const engine = new SyncEngine({ db });")).toEqual(['starts a sync engine or thread and never shuts it down']);
    expect(threadRulesBroken("const build = SearchIndexBuild.start(db)!;")).toHaveLength(1);
    expect(threadRulesBroken("import { engineFor, openSyncDatabase } from './sync-fixture';")).toHaveLength(1);
    expect(threadRulesBroken("const shut = useShutDownAfterEach();\nconst close = useCloseAfterEach();")).toEqual(['registers its shutdown before useTempDir or useCloseAfterEach']);
    expect(threadRulesBroken("const dir = useTempDir();\nconst close = useCloseAfterEach();\nconst shut = useShutDownAfterEach();\nshut(new SyncEngine({ db }));")).toEqual([]);
  });
});
