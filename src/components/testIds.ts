export const testIds = {
  appConfig: {
    container: 'data-testid ac-container',
    eventBusUrl: 'data-testid ac-event-bus-url',
    eventBusToken: 'data-testid ac-event-bus-token',
    save: 'data-testid ac-save',
    saveAndTest: 'data-testid ac-save-and-test',
    saveResult: 'data-testid ac-save-result',
    testResult: 'data-testid ac-test-result',
  },
  index: {
    search: 'data-testid index search',
    result: 'data-testid index result',
    empty: 'data-testid index empty',
    escalation: 'data-testid index escalation',
    unresolvedAlert: 'data-testid index unresolved-alert',
  },
  runbook: {
    header: 'data-testid runbook header',
    alertContext: 'data-testid runbook alert-context',
    markdown: 'data-testid runbook markdown',
    liveBlock: 'data-testid runbook live-block',
    toc: 'data-testid runbook toc',
    notFound: 'data-testid runbook not-found',
    reviewBadge: 'data-testid runbook review-badge',
  },
  beside: {
    container: 'data-testid beside container',
    dashboard: 'data-testid beside dashboard',
    fallback: 'data-testid beside fallback',
  },
  statusPage: {
    container: 'data-testid status-container',
    result: 'data-testid status-result',
    checkAgain: 'data-testid status-check-again',
  },
};
