import type { Ledger } from '../src/server/console-ledgers.js';
import { failure, gql } from './api.js';
import { clear, h } from './dom.js';
import { statusLabel, t, type Word } from './i18n.js';
import { busyWhile, type Row } from './state.js';

/**
 * A PENDING row older than this is stale: no vendor call lasts this long, so the gateway stopped
 * mid-call (the sweeper will make it UNKNOWN). Compared with the browser's clock.
 */
const STALE_MS = 5 * 60_000;

function stale(row: Row): boolean {
  const at = Date.parse(String(row.updatedAt ?? row.createdAt));
  return Date.now() - at > STALE_MS;
}

/** Whether a row needs a clerk: its outcome is unknown, it is locked, or it is stuck pending. */
export function inDoubt(ledger: Ledger, row: Row): boolean {
  if (row.status === 'UNKNOWN') return true;
  switch (ledger) {
    case 'orders':
      return (
        row.status === 'LOCKED' ||
        ((row.status === 'PENDING' || row.status === 'REGISTERING') && stale(row))
      );
    case 'oa':
      return row.status === 'SUBMITTED' && !row.vendorCode && stale(row);
    default:
      return row.status === 'PENDING' && stale(row);
  }
}

export function badge(status: string): HTMLElement {
  return h('span', { class: `badge s-${status}`, title: status }, statusLabel(status));
}

const help = (word: Word) => h('p', { class: 'help' }, t(word));

type Outcome = { status?: string; message?: string; typename: string };

/**
 * Shows a settling call's result beside the row: the record's new status (also on the row's
 * badge), or the refusal in words. `data-outcome` holds the status or the result's type.
 */
function showOutcome(result: HTMLElement, o: Outcome) {
  clear(result, o.status ? badge(o.status) : (o.message ?? o.typename));
  result.dataset.outcome = o.status ?? o.typename;
  const row = result.closest('tr');
  if (o.status && row) {
    row.dataset.status = o.status;
    row.querySelector('td.status')?.replaceChildren(badge(o.status));
  }
}

/** Runs a settling call from the page (see `showOutcome`); an error is shown in its place. */
function settleButton(word: Word, run: () => Promise<Outcome>): HTMLElement {
  const result = h('output', { class: 'result', role: 'status' });
  const button = h('button', { type: 'button', class: 'settle' }, t(word));
  button.addEventListener('click', async () => {
    button.disabled = true;
    clear(result, t('settling'));
    await busyWhile(async () => {
      try {
        showOutcome(result, await run());
      } catch (err) {
        clear(result, failure(err));
        result.dataset.outcome = 'ERROR';
      } finally {
        button.disabled = false;
      }
    });
  });
  return h('div', { class: 'settling' }, button, result);
}

interface Settled {
  __typename: string;
  message?: string;
  record?: { status: string };
}

const outcome = (r: Settled): Outcome => ({
  typename: r.__typename,
  ...(r.message !== undefined && { message: r.message }),
  ...(r.record && { status: r.record.status }),
});

/** An UNKNOWN order: the OTP the subscriber got, registered again with the same order code. */
function registerAgain(row: Row): HTMLElement {
  const result = h('output', { class: 'result', role: 'status' });
  const otp = h('input', {
    class: 'otp',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    size: '7',
    'aria-label': t('otp'),
    placeholder: t('otp'),
  });
  const button = h('button', { type: 'submit', class: 'register' }, t('retryRegister'));
  const form = h('form', { class: 'inline', title: t('registerHelp') }, otp, button, result);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!/^\d{4,8}$/.test(otp.value.trim())) return clear(result, t('otpShape'));
    button.disabled = true;
    await busyWhile(async () => {
      try {
        const { registerWithOtp: r } = await gql<{ registerWithOtp: Settled }>(
          `mutation ConsoleRegisterAgain($input: RegisterWithOtpInput!) {
            registerWithOtp(input: $input) { __typename
              ... on RegisterWithOtpSuccess { record: order { id status } }
              ... on Error { code message } } }`,
          {
            input: {
              orderCode: row.orderCode,
              otp: otp.value.trim(),
              idempotencyKey: crypto.randomUUID(),
            },
          },
        );
        otp.value = '';
        showOutcome(result, outcome(r));
      } catch (err) {
        clear(result, failure(err));
        result.dataset.outcome = 'ERROR';
      } finally {
        button.disabled = false;
      }
    });
  });
  return form;
}

/** What settles an in-doubt row, run from the page, or what to do when the API cannot. */
export function action(ledger: Ledger, row: Row): HTMLElement {
  switch (ledger) {
    case 'orders':
      if (row.status === 'LOCKED') return help('lockedHelp');
      if (row.status !== 'UNKNOWN') return help('stalePending');
      return row.orderCode ? registerAgain(row) : help('unknownOtpHelp');
    case 'vas':
      if (row.status !== 'UNKNOWN') return help('stalePending');
      return settleButton('settle', async () => {
        const { settleVasTransaction: r } = await gql<{ settleVasTransaction: Settled }>(
          `mutation ConsoleSettleVas($id: ID!) { settleVasTransaction(id: $id) { __typename
            ... on SettleVasTransactionSuccess { record: transaction { id status settledAt } }
            ... on Error { code message } } }`,
          { id: row.id },
        );
        return outcome(r);
      });
    case 'voice':
      return h(
        'div',
        {},
        row.status === 'PENDING'
          ? settleButton('askVendor', async () => {
              // Reading a PENDING call asks the vendor for its status now.
              const { voiceCall } = await gql<{ voiceCall: { status: string } | null }>(
                'query ConsoleVoiceCall($id: ID!) { voiceCall(id: $id) { id status settledAt } }',
                { id: row.id },
              );
              return { typename: 'VoiceCall', ...(voiceCall && { status: voiceCall.status }) };
            })
          : null,
        help('voiceHelp'),
      );
    case 'oa':
      return help('oaHelp');
  }
}
