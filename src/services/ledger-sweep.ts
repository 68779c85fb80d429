/**
 * One ledger's sweep, declared by the feature that owns the ledger (its service): what no
 * request will settle any more, such as a record whose process stopped mid-call, settled as the
 * ledger's rules say, each change published as any other. The sweeper only loops over them.
 */
export interface LedgerSweep {
  /** What it settles, for the log line (`settled 3 stale orders`). */
  readonly sweeps: string;
  /**
   * Settles the records stale for more than `staleAfterMs` (past the slowest vendor call and a
   * margin) and anything else due; how many records it changed.
   */
  sweep(staleAfterMs: number): Promise<number>;
}
