import type { Migration } from '../migration';
import { foundation } from './0001-foundation';

/** Every migration, in order. Numbers are reserved per feature so parallel work never collides. */
export const migrations: readonly Migration[] = [foundation];
