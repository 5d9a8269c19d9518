/**
 * Child process for the migration kill test: upgrades the database given as argv[2] with every migration, says
 * "paused" after the first batch of rewritten rows, and then blocks inside the migration's transaction until killed.
 */
import { openDatabase } from '../../../../src-main/core/db/database';
import { migrations } from '../../../../src-main/core/db/migrations';

const file = process.argv[2]!;
openDatabase({
  file,
  migrations,
  onMigrationProgress: ({ done, total }) => {
    process.stdout.write(`progress ${done} ${total}\n`);
    if (done > 0 && done < total) {
      process.stdout.write('paused\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    }
  },
});
process.stdout.write('finished\n');
