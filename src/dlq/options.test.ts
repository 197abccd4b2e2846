import { DEFAULT_OPTIONS, layoutFor, normalizeOptions, streamKey } from './options';

describe('panel options', () => {
  it('fills missing options from the defaults, as on a panel saved by an older version', () => {
    expect(normalizeOptions(undefined)).toEqual(DEFAULT_OPTIONS);
    expect(normalizeOptions({ stream: 'orders' })).toEqual({ ...DEFAULT_OPTIONS, stream: 'orders' });
  });

  it('keeps the page size within what the API accepts', () => {
    expect(normalizeOptions({ pageSize: 0 }).pageSize).toBe(1);
    expect(normalizeOptions({ pageSize: 5000 }).pageSize).toBe(500);
    expect(normalizeOptions({ pageSize: 12.6 }).pageSize).toBe(13);
    expect(normalizeOptions({ pageSize: Number.NaN }).pageSize).toBe(50);
  });

  it.each(['javascript:alert(1)', '../../admin', '/d/other', 'https://evil.example.com', ''])(
    'links to the default runbook instead of %j',
    (runbook) => {
      expect(normalizeOptions({ runbook }).runbook).toBe('dlq-management');
    }
  );

  it('accepts runbook slugs in folders', () => {
    expect(normalizeOptions({ runbook: 'troubleshooting/auth-failures' }).runbook).toBe(
      'troubleshooting/auth-failures'
    );
  });

  it('takes a stream with or without the {events}: prefix', () => {
    expect(streamKey('orders')).toBe('{events}:orders');
    expect(streamKey(' {events}:payments ')).toBe('{events}:payments');
    expect(streamKey('')).toBeUndefined();
  });

  it('is compact below either minimum size', () => {
    expect(layoutFor(1000, 700)).toBe('full');
    expect(layoutFor(559, 700)).toBe('compact');
    expect(layoutFor(1000, 319)).toBe('compact');
  });
});
