import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULTS } from '../src/config';
import { makePayloadView } from '../src/payload';

// Pure unit tests of the payload view: no Redis. The keys are the service's defaults
// (password, token, secret, authorization, apiKey, cardNumber).

const view = makePayloadView(DEFAULTS.redactKeys, 1_000_000);
const show = (raw: string) => view(raw).payload;

function assertHidden(out: string, ...secrets: string[]): void {
  for (const secret of secrets) {
    assert.ok(!out.includes(secret), `"${secret}" shows in ${out.slice(0, 300)}`);
  }
}

describe('JSON inside JSON strings', () => {
  test('a JSON object in a string value is redacted, and the string stays a string', () => {
    const out = show('{"body": "{\\"password\\":\\"hunter2\\",\\"user\\":\\"bob\\"}"}');
    assertHidden(out, 'hunter2');
    const body = JSON.parse(JSON.parse(out).body);
    assert.deepEqual(body, { password: '[REDACTED]', user: 'bob' });
  });

  test('doubly nested JSON strings are redacted at every level', () => {
    const inner = JSON.stringify({ token: 'abc-inner-secret', ok: 1 });
    const raw = JSON.stringify({ envelope: JSON.stringify({ body: inner, apiKey: 'k-middle-secret' }) });
    const out = show(raw);
    assertHidden(out, 'abc-inner-secret', 'k-middle-secret');
    const middle = JSON.parse(JSON.parse(out).envelope);
    assert.equal(middle.apiKey, '[REDACTED]');
    assert.deepEqual(JSON.parse(middle.body), { token: '[REDACTED]', ok: 1 });
  });

  test('a JSON array in a string value is redacted', () => {
    const out = show(JSON.stringify({ events: JSON.stringify([{ secret: 's3cr3t' }, 2]) }));
    assertHidden(out, 's3cr3t');
    assert.deepEqual(JSON.parse(JSON.parse(out).events), [{ secret: '[REDACTED]' }, 2]);
  });

  test('nesting past the depth bound never shows a secret', () => {
    let deep: unknown = { password: 'deep-secret' };
    for (let i = 0; i < 60; i++) {
      deep = { next: deep };
    }
    let strings = JSON.stringify({ password: 'string-secret' });
    for (let i = 0; i < 12; i++) {
      strings = JSON.stringify({ s: strings });
    }
    assertHidden(show(JSON.stringify(deep)), 'deep-secret');
    assertHidden(show(strings), 'string-secret');
  });
});

describe('key=value and key: value text', () => {
  test('in a string value: key=value pairs separated by &', () => {
    const out = show(JSON.stringify({ query: 'password=hunter2&card=4111111111111111' }));
    assertHidden(out, 'hunter2');
    // `card` is not a configured key; `cardNumber` is (next test).
    assert.equal(JSON.parse(out).query, 'password=[REDACTED]&card=4111111111111111');
  });

  test('a whole non-JSON payload of key=value pairs', () => {
    assert.equal(show('user=a&password=hunter2'), 'user=a&password=[REDACTED]');
  });

  test('every separator: &, ;, whitespace, commas, newlines', () => {
    assert.equal(
      show('a=1;password=p1 b=2,token=t1\nsecret=s1\tc=3&card_number=4111111111111111'),
      'a=1;password=[REDACTED] b=2,token=[REDACTED]\nsecret=[REDACTED]\tc=3&card_number=[REDACTED]'
    );
  });

  test('a quoted value is hidden whole', () => {
    assertHidden(show('password="hunter two" user=bob'), 'hunter', 'two');
  });

  test('header text in strings: Authorization: Bearer abc, token: abc', () => {
    const raw = JSON.stringify({
      headers: 'Authorization: Bearer abc.def.ghi\r\nAccept: */*',
      log: 'refresh failed, token: xyz-123',
    });
    const out = JSON.parse(show(raw));
    assert.equal(out.headers, 'Authorization: [REDACTED]\r\nAccept: */*');
    assert.equal(out.log, 'refresh failed, token: [REDACTED]');
  });

  test('header text in a non-JSON payload', () => {
    assert.equal(
      show('POST /x HTTP/1.1\nAuthorization: Basic dXNlcjpwYXNz\nHost: a'),
      'POST /x HTTP/1.1\nAuthorization: [REDACTED]\nHost: a'
    );
  });
});

describe('key spellings', () => {
  test('case and _/- variants of a configured key match, in JSON and in text', () => {
    const out = JSON.parse(
      show(JSON.stringify({ api_key: '1', 'api-key': '2', APIKEY: '3', card_number: '4', Card_Number: '5', x: 'y' }))
    );
    assert.deepEqual(out, {
      api_key: '[REDACTED]',
      'api-key': '[REDACTED]',
      APIKEY: '[REDACTED]',
      card_number: '[REDACTED]',
      Card_Number: '[REDACTED]',
      x: 'y',
    });
    assert.equal(show('api_key=1&API-KEY=2&apikey=3'), 'api_key=[REDACTED]&API-KEY=[REDACTED]&apikey=[REDACTED]');
  });

  test('a configured key written with _ or - matches the other spellings', () => {
    const custom = makePayloadView(['card-number'], 1000);
    assert.equal(custom('{"cardNumber":"4111"}').payload, '{"cardNumber":"[REDACTED]"}');
    assert.equal(custom('card_number=4111').payload, 'card_number=[REDACTED]');
  });

  test('only whole keys match', () => {
    for (const raw of ['secretary: Jane', 'tokens=3&passwordless=true', 'mypassword=x', '{"tokenCount":2}']) {
      assert.equal(show(raw), raw);
    }
  });
});

describe('payloads that are not valid JSON', () => {
  test('a preview cut inside a secret shows none of it', () => {
    assertHidden(show('{"password": "hun'), 'hun');
    assertHidden(show('{"user":"a","api_key":"sec'), 'sec');
    assertHidden(show('{"password": "hunter two'), 'hunter', 'two');
    assertHidden(show('{"body":"{\\"password\\":\\"hun'), 'hun');
  });

  test('an object, array or escaped value of a key in cut JSON shows none of it', () => {
    assertHidden(show('{"authorization":{"scheme":"Bearer","credentials":"xyz"},"n":1'), 'Bearer', 'xyz');
    assertHidden(show('{"token":["abc","def"],"n":'), 'abc', 'def');
    assertHidden(show('{"body":"{\\"password\\":\\"p1,p2\\"}","n":'), 'p1', 'p2');
  });

  test('complete "key": value pairs in cut JSON', () => {
    assert.equal(
      show('{"user":"a","Password": "x\\"y", "token": 42, "n": '),
      '{"user":"a","Password": "[REDACTED]", "token": "[REDACTED]", "n": '
    );
  });
});

describe('what redaction keeps', () => {
  test('content without secrets is unchanged (nested JSON strings keep their spacing)', () => {
    const raw = '{"user":"bob","note":"a=b; c: d","body":"{\\"x\\": 1}","list":[1,"two",null]}';
    assert.equal(show(raw), raw);
    for (const text of ['hello world status=ok', '<script>alert(1)</script>', '', 'not json {']) {
      assert.equal(show(text), text);
    }
  });

  test('a __proto__ key is kept as data', () => {
    const out = JSON.parse(show('{"__proto__":{"password":"x","a":1},"b":2}'));
    assert.deepEqual(Object.keys(out), ['__proto__', 'b']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { password: '[REDACTED]', a: 1 });
  });

  test('valid JSON stays valid JSON after redaction', () => {
    for (const raw of [
      '{"body": "{\\"password\\":\\"hunter2\\"}"}',
      JSON.stringify({ q: 'password=a&token=b', h: 'Authorization: Bearer c', deep: [{ secret: { a: 1 } }] }),
      JSON.stringify('password=hunter2'),
      '[{"token":"t"},"api-key: k"]',
    ]) {
      const out = show(raw);
      assert.doesNotThrow(() => JSON.parse(out), out);
      assertHidden(out, 'hunter2', '"t"', 'Bearer c');
    }
  });

  test('redaction comes before truncation, and the flag says whether the text was cut', () => {
    const short = makePayloadView(DEFAULTS.redactKeys, 40);
    const long = short(JSON.stringify({ password: 'p'.repeat(500), user: 'a' }));
    assert.deepEqual(long, { payload: '{"password":"[REDACTED]","user":"a"}', payloadTruncated: false });
    const cut = short(JSON.stringify({ text: 'x'.repeat(100), password: 'hunter2' }));
    assert.equal(cut.payloadTruncated, true);
    assert.equal(cut.payload.length, 40);
    const exact = short('k=' + 'v'.repeat(38));
    assert.deepEqual(exact, { payload: 'k=' + 'v'.repeat(38), payloadTruncated: false });
    const nested = short(JSON.stringify({ body: JSON.stringify({ token: 't'.repeat(100) }) }));
    assert.deepEqual(nested, { payload: '{"body":"{\\"token\\":\\"[REDACTED]\\"}"}', payloadTruncated: false });
  });

  test('no configured keys: the text is only truncated', () => {
    const none = makePayloadView([], 10);
    assert.deepEqual(none('password=hunter2'), { payload: 'password=h', payloadTruncated: true });
  });
});

describe('hostile input', () => {
  // Every pattern is linear; these take milliseconds. The bound is 5 s each, for slow CI machines.
  const FIVE_MB = 5 * 1024 * 1024;
  const fill = (unit: string, prefix = '', suffix = '') =>
    prefix + unit.repeat(Math.ceil(FIVE_MB / unit.length)) + suffix;
  const cases: Array<[string, string]> = [
    ['password= repeated', fill('password=')],
    ['"a":" repeated', fill('"a":"')],
    ['"password":" repeated', fill('"password":"')],
    ['password: repeated', fill('password: ')],
    ['a key padded with _ and no value', fill('_', 'p', 'x')],
    ['escaped quotes after a key', fill('\\"', '{"password":"')],
    ['backslashes in a key', fill('\\', '{"password')],
    ['unclosed brackets', fill('[')],
    ['closed brackets', fill('[', '', ']'.repeat(FIVE_MB))],
    ['brackets in a JSON string', JSON.stringify({ s: fill('[') })],
    ['spaces between a key and nothing', fill(' ', 'token')],
    ['key=value in one JSON string', JSON.stringify({ q: fill('password=x&') })],
    ['JSON in a JSON string', JSON.stringify({ b: JSON.stringify({ c: fill('"a":"') }) })],
  ];
  for (const [label, raw] of cases) {
    test(`5 MB of ${label} is processed in well under a second`, () => {
      const started = performance.now();
      view(raw);
      const ms = performance.now() - started;
      assert.ok(ms < 5000, `${label}: ${Math.round(ms)} ms`);
    });
  }
});
