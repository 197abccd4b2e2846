/** What a check learns for a later one: the DLQ length before the dry run, the page's snapshot, an operation. */
export interface State {
  dlqLength: number | null;
  snapshotId: string | null;
  operationId: string | null;
  /** The largest failure group, whose entries the listing's group filter must return. */
  largestGroup: { count: number; stream: string; type: string; failureClass: string } | null;
}
