import { afterAll, beforeAll, expect, it } from 'vitest';
import { knownOperationNames } from '../../../src/server/edge/metrics.js';
import { startTestGateway, type TestGateway } from '../../helpers/gateway.js';

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(async () => {
  await t.close();
});

const scrape = async () => (await t.gateway.yoga.fetch('http://gateway.test/metrics')).text();
const names = (text: string) =>
  new Set([...text.matchAll(/operationName="([^"]*)"/g)].map((m) => m[1]));

it('keeps /metrics bounded whatever operation names callers send', async () => {
  const known = knownOperationNames();
  expect([...known].sort()).toEqual([
    'CancelPhoneVerification',
    'CheckPhoneVerification',
    'OAPackages',
    'OrderUpdated',
    'Packages',
    'PurchaseOAPackage',
    'SendVoiceOtp',
    'StartPhoneVerification',
    'Step1Eligibility',
    'Step2RequestOtp',
    'Step3RegisterWithOtp',
    'Step4Reconcile',
    'Subscriber',
    'VasCancel',
    'VasCheck',
    'VasReconcile',
    'VasRegister',
    'VoiceCall',
    'VoiceCallUpdated',
  ]);
  await t.graphql('query Packages { packages { code } }');
  const baseline = (await scrape()).length;

  for (let batch = 0; batch < 20; batch++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.graphql(`query Flood${batch}_${i} { packages { code } }`, undefined, {}).then(() =>
          // An operationName that names no operation of the document, and an error path.
          t.gateway.yoga.fetch('http://gateway.test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: `query Q${batch}_${i} { alias${i}: subscriber(phone: "123") { telco } }`,
              operationName: `Q${batch}_${i}`,
            }),
          }),
        ),
      ),
    );
  }
  const text = await scrape();
  expect([...names(text)].every((n) => n === 'other' || known.has(n!))).toBe(true);
  expect(names(text).has('other')).toBe(true);
  expect(text).not.toMatch(/Flood|alias\d/);
  // The same series as after one request, with larger counts: well under twice the size.
  expect(text.length).toBeLessThan(baseline * 2);
});
