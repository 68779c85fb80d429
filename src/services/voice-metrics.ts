import { Counter, type Registry } from 'prom-client';

/** Why a call was not placed: a call limit, the fraud guard, or a verification rule. */
export type VoiceRefusalReason =
  | 'PHONE_PER_10_MINUTES'
  | 'PHONE_PER_DAY'
  | 'CLIENT_PER_MINUTE'
  | 'CLIENT_PER_DAY'
  | 'PREFIX_BLOCKED'
  | 'VERIFICATION_SENDS'
  | 'VERIFICATION_PHONE_PER_HOUR';

/** How a verification ended, as counted. */
export type VerificationOutcome = 'APPROVED' | 'EXPIRED' | 'MAX_ATTEMPTS_REACHED';

/**
 * At most this many client labels per process; any further client counts as `other`. Outside
 * sandbox every caller is a client of the database (its name); in sandbox an anonymous caller's
 * `x-client-id` label is caller input, and this keeps the series bounded all the same.
 */
const MAX_CLIENT_LABELS = 200;

/** What operators read about voice calls on `/metrics`, per client. */
export class VoiceMetrics {
  private readonly placed: Counter<'client' | 'kind'>;
  private readonly refused: Counter<'client' | 'reason'>;
  private readonly ended: Counter<'client' | 'outcome'>;
  private readonly blocks: Counter;
  private readonly labels = new Set<string>();

  constructor(registry: Registry) {
    this.placed = new Counter({
      name: 'voice_calls_placed_total',
      help: 'Calls sent to the voice OTP vendor, by client and kind (otp: sendVoiceOtp; verification)',
      labelNames: ['client', 'kind'],
      registers: [registry],
    });
    this.refused = new Counter({
      name: 'voice_calls_refused_total',
      help: 'Calls refused before the vendor was asked, by client and the limit that refused them',
      labelNames: ['client', 'reason'],
      registers: [registry],
    });
    this.ended = new Counter({
      name: 'phone_verifications_ended_total',
      help: 'Phone verifications that reached APPROVED, EXPIRED or MAX_ATTEMPTS_REACHED, by client',
      labelNames: ['client', 'outcome'],
      registers: [registry],
    });
    this.blocks = new Counter({
      name: 'voice_guard_blocks_total',
      help: 'Number prefixes the fraud guard blocked (too many unconverted calls)',
      registers: [registry],
    });
  }

  private client(clientId: string): string {
    if (this.labels.has(clientId)) return clientId;
    if (this.labels.size >= MAX_CLIENT_LABELS) return 'other';
    this.labels.add(clientId);
    return clientId;
  }

  callPlaced(clientId: string, kind: 'otp' | 'verification'): void {
    this.placed.inc({ client: this.client(clientId), kind });
  }

  callRefused(clientId: string, reason: VoiceRefusalReason): void {
    this.refused.inc({ client: this.client(clientId), reason });
  }

  verificationEnded(clientId: string, outcome: VerificationOutcome): void {
    this.ended.inc({ client: this.client(clientId), outcome });
  }

  prefixBlocked(): void {
    this.blocks.inc();
  }
}
