/** An SQL condition over a `devices` row aliased `d`, with its parameters. */
export interface SqlCondition {
  sql: string;
  params: unknown[];
  /** It needs a column the sort indexes do not hold, so checking it reads the row. */
  readsRows?: boolean;
}
