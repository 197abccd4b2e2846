export interface LinkIndex {
  /** Dashboard uid → slug of the runbook to open beside it: of those naming it, the one naming the fewest. */
  byDashboard: Record<string, string>;
}

declare const links: LinkIndex;
export default links;
