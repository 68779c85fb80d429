import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { emptyToUndefined } from '../../config-fields.js';

/**
 * `VASCLOUD_NOTIFY_ALLOW`: the addresses the SDP may notify us from, comma-separated IPs or CIDRs
 * (`203.0.113.7, 10.20.0.0/16, 2001:db8::/32`). Unset or empty is `undefined`.
 */
export const addressList = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((e) => e.trim())
        .filter(Boolean),
    )
    .refine((entries) => entries.every(isAddressOrCidr), {
      error: 'must be a comma-separated list of IP addresses or CIDRs (10.0.0.0/8)',
    })
    .optional(),
);

function isAddressOrCidr(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** True when the peer may call; an IPv4 peer seen as `::ffff:a.b.c.d` is read as IPv4. */
export type AddressCheck = (address: string | null) => boolean;

/** Null entries: open (sandbox with no list). Otherwise only the listed addresses pass. */
export function allowList(entries: readonly string[] | null): AddressCheck {
  if (entries === null) return () => true;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (raw) => {
    if (!raw) return false;
    const address = raw.startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
    const family = isIP(address);
    if (family === 0) return false;
    return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
