/** What a check learns for a later one: the DLQ length before the dry run, the page's snapshot, an operation. */
export interface State {
  dlqLength: number | null;
  snapshotId: string | null;
  operationId: string | null;
}
