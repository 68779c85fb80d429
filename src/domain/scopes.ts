/**
 * What a client may do. A client holds a set of these; each GraphQL field names the one it needs.
 */
export const SCOPES = {
  sales: 'Ask for OTPs and register packages (requestOtp, registerWithOtp), for its own orders.',
  ledger: "Read the client's own orders and transactions.",
  'ledger:all': "Read every client's orders and transactions (back-office reconciliation).",
  vas: 'Check, register and cancel VAS packages.',
  voice: 'Place voice-OTP calls and read their status and the balance.',
  verify: 'Start and check phone-number verifications.',
  oa: 'Buy Zalo Official Account packages.',
  explore: 'Introspection, and free-form documents when trusted documents are on.',
} as const;

export type Scope = keyof typeof SCOPES;

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}
