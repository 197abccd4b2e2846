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
  statusPage: {
    container: 'data-testid status-container',
    result: 'data-testid status-result',
    checkAgain: 'data-testid status-check-again',
  },
};
