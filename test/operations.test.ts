import { readdirSync, readFileSync } from 'node:fs';
import { parse, specifiedRules, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../src/schema/index.js';
import { oneSensitiveMutationRule } from '../src/schema/sensitive-mutations.js';
import type { VoiceOtpSimulator } from '../src/vendors/voice-otp/simulator.js';
import { startTestGateway, type TestGateway } from './helpers/gateway.js';

/** The examples preloaded into GraphiQL (and fed to codegen) are the four steps, and they work. */

const dir = new URL('../operations/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, dir), 'utf8');
const vars = (name: string) => JSON.parse(read(name.replace('.graphql', '.variables.json')));

describe('operations/', () => {
  it('holds documents that validate, each with at most one sensitive mutation', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const errors = validate(schema, parse(read(file)), [
        ...specifiedRules,
        oneSensitiveMutationRule,
      ]);
      expect({ file, errors: errors.map((e) => e.message) }).toEqual({ file, errors: [] });
    }
  });

  describe('run in order, in sandbox, as a clerk would in GraphiQL', () => {
    let t: TestGateway;
    beforeAll(async () => {
      t = await startTestGateway();
    });
    afterAll(async () => {
      await t.close();
    });

    it('sell a package from eligibility to reconciliation', async () => {
      const headers = { 'x-client-id': 'graphiql' };
      const step1 = await t.graphql<{ subscriber: { eligiblePackages: Array<{ code: string }> } }>(
        read('1-eligibility.graphql'),
      );
      expect(step1.data!.subscriber.eligiblePackages.map((p) => p.code)).toContain('6C120');

      const step2 = await t.graphql<{
        requestOtp: {
          __typename: string;
          orderCode: string;
          otpExpiresAt: string;
          order: { orderCode: string; otpExpiresAt: string };
        };
      }>(read('2-request-otp.graphql'), vars('2-request-otp.graphql'), headers);
      expect(step2.data!.requestOtp.__typename).toBe('RequestOtpSuccess');
      const { orderCode } = step2.data!.requestOtp.order;
      // The success type's own non-null copies of what Order has nullable.
      expect(step2.data!.requestOtp.orderCode).toBe(orderCode);
      expect(step2.data!.requestOtp.otpExpiresAt).toBe(step2.data!.requestOtp.order.otpExpiresAt);

      const input = { ...vars('3-register-with-otp.graphql').input, orderCode };
      const step3 = await t.graphql<{
        registerWithOtp: {
          __typename: string;
          registeredAt: string;
          order: { status: string; registeredAt: string };
        };
      }>(read('3-register-with-otp.graphql'), { input }, headers);
      expect(step3.data!.registerWithOtp).toMatchObject({
        __typename: 'RegisterWithOtpSuccess',
        registeredAt: step3.data!.registerWithOtp.order.registeredAt,
        order: { status: 'REGISTERED', registeredAt: expect.any(String) },
      });

      const step4 = await t.graphql<{
        orders: { totalCount: number; edges: Array<{ node: { orderCode: string } }> };
      }>(read('4-reconcile.graphql'));
      expect(step4.data!.orders.totalCount).toBe(1);
      expect(step4.data!.orders.edges[0]!.node.orderCode).toBe(orderCode);
    });

    it('check, register, cancel and reconcile a VAS package', async () => {
      const headers = { 'x-client-id': 'graphiql' };
      type Check = { subscriber: { vasSubscription: { active: boolean } } };
      const check = async () =>
        (await t.graphql<Check>(read('6-vas-check.graphql'))).data!.subscriber.vasSubscription;
      expect(await check()).toMatchObject({ active: false });
      const reg = await t.graphql<{ registerVasPackage: { __typename: string } }>(
        read('7-vas-register.graphql'),
        vars('7-vas-register.graphql'),
        headers,
      );
      expect(reg.data!.registerVasPackage.__typename).toBe('RegisterVasPackageSuccess');
      expect(await check()).toMatchObject({ active: true });
      const cancel = await t.graphql<{ cancelVasPackage: { __typename: string } }>(
        read('8-vas-cancel.graphql'),
        vars('8-vas-cancel.graphql'),
        headers,
      );
      expect(cancel.data!.cancelVasPackage.__typename).toBe('CancelVasPackageSuccess');
      const ledger = await t.graphql<{
        vasTransactions: { totalCount: number; edges: Array<{ node: { action: string } }> };
      }>(read('9-vas-reconcile.graphql'));
      expect(ledger.data!.vasTransactions.edges.map((e) => e.node.action)).toEqual([
        'CANCEL',
        'REGISTER',
      ]);
    });

    it('buy a Zalo OA package, twice, and list both', async () => {
      const headers = { 'x-client-id': 'graphiql' };
      const buy = () =>
        t.graphql<{ purchaseOAPackage: { __typename: string; oaPackage: { id: string } } }>(
          read('90-purchase-oa-package.graphql'),
          vars('90-purchase-oa-package.graphql'),
          headers,
        );
      const first = await buy();
      expect(first.data!.purchaseOAPackage).toMatchObject({
        __typename: 'PurchaseOAPackageSuccess',
        oaPackage: { status: 'ACCEPTED', vendorCode: '100' },
      });
      // The tab sends no idempotency key: buying again is a new request, which eSMS answers 199
      // (the same purchase is already being processed), recorded as SUBMITTED.
      const again = await buy();
      expect(again.data!.purchaseOAPackage).toMatchObject({
        __typename: 'PurchaseOAPackageSuccess',
        oaPackage: { status: 'SUBMITTED', vendorCode: '199' },
      });
      const listed = await t.graphql<{ oaPackages: { edges: Array<{ node: { id: string } }> } }>(
        read('91-oa-packages.graphql'),
      );
      expect(listed.data!.oaPackages.edges.map((e) => e.node.id)).toEqual([
        again.data!.purchaseOAPackage.oaPackage.id,
        first.data!.purchaseOAPackage.oaPackage.id,
      ]);
    });

    it('call a phone, follow the call, and verify a phone', async () => {
      const sent = await t.graphql<{
        sendVoiceOtp: { __typename: string; voiceCall: { id: string } };
      }>(read('92-send-voice-otp.graphql'), vars('92-send-voice-otp.graphql'));
      expect(sent.data!.sendVoiceOtp.__typename).toBe('SendVoiceOtpSuccess');
      const { id } = sent.data!.sendVoiceOtp.voiceCall;
      const call = await t.graphql<{
        voiceCall: { status: string };
        voiceOtpBalance: { balance: number };
      }>(read('93-voice-call.graphql'), { id });
      expect(call.data).toMatchObject({ voiceCall: { status: 'PENDING' }, voiceOtpBalance: {} });

      const started = await t.graphql<{
        startPhoneVerification: { __typename: string; verification: { id: string } };
      }>(read('95-start-phone-verification.graphql'), vars('95-start-phone-verification.graphql'));
      expect(started.data!.startPhoneVerification.__typename).toBe('StartPhoneVerificationSuccess');
      const verification = started.data!.startPhoneVerification.verification.id;
      const sim = t.gateway.sandbox.simulators.voiceOtp as VoiceOtpSimulator;
      const code = sim.calls.at(-1)!.message;
      const checked = await t.graphql(read('96-check-phone-verification.graphql'), {
        input: { id: verification, code },
      });
      expect(checked.data).toMatchObject({
        checkPhoneVerification: { verification: { status: 'APPROVED' } },
      });
      const canceled = await t.graphql(read('97-cancel-phone-verification.graphql'), {
        id: verification,
      });
      // Approved stays approved.
      expect(canceled.data).toMatchObject({
        cancelPhoneVerification: { verification: { status: 'APPROVED' } },
      });
    });
  });
});
