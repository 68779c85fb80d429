import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Turns a subscriber's MSISDN into the opaque key of its global id, and back. A global id travels
 * in URLs, logs and client caches; plain base64 of a phone number would publish the number.
 *
 * The id must be deterministic (the same subscriber has the same id, or caches cannot
 * normalize), so the IV cannot be random. Node has no AES-SIV, so this is the SIV construction
 * with AES-256-GCM: the IV is an HMAC-SHA256 of the plaintext under its own key (a synthetic IV).
 * Equal numbers give equal ids, which is what an id is for; different numbers give different IVs,
 * so GCM never reuses a nonce across plaintexts. GCM's tag authenticates the id: one the gateway
 * did not make fails to open. Both keys are derived from `GATEWAY_SECRET` with HKDF, each under
 * its own label, so they are independent of the secret's other uses; changing the secret changes
 * every subscriber id (ids are not stored anywhere, so nothing breaks but client caches).
 */
export class SubscriberIds {
  private readonly encKey: Buffer;
  private readonly ivKey: Buffer;

  constructor(secret: string) {
    const derive = (label: string) =>
      Buffer.from(hkdfSync('sha256', secret, 'telco-gateway', `subscriber-id/${label}`, 32));
    this.encKey = derive('aes-256-gcm');
    this.ivKey = derive('synthetic-iv');
  }

  /** The opaque key of the subscriber with this MSISDN (base64url). */
  seal(msisdn: string): string {
    const plain = Buffer.from(msisdn, 'utf8');
    const iv = createHmac('sha256', this.ivKey).update(plain).digest().subarray(0, IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.encKey, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The MSISDN inside a key this gateway sealed; null for anything else. */
  open(key: string): string | null {
    const raw = Buffer.from(key, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES || raw.toString('base64url') !== key) return null;
    const iv = raw.subarray(0, IV_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', this.encKey, iv);
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    try {
      const plain = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
      // A synthetic IV is also a check: it must be the one this plaintext yields.
      const expected = createHmac('sha256', this.ivKey).update(plain).digest();
      if (!expected.subarray(0, IV_BYTES).equals(iv)) return null;
      return plain.toString('utf8');
    } catch {
      return null;
    }
  }
}
