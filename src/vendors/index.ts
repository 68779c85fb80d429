import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { DmallClient } from './dmall/client.js';
import { VendorHttp, type VendorMetrics } from './http.js';
import { SANDBOX_CREDENTIALS, type Sandbox } from './sandbox.js';

/** One client per vendor, pointed at the real vendor or at its sandbox simulator. */
export interface Vendors {
  dmall: DmallClient;
  close(): Promise<void>;
}

export function createVendors(
  config: Config,
  sandbox: Sandbox,
  metrics: VendorMetrics,
  logger: Logger,
): Vendors {
  const https: VendorHttp[] = [];
  const http = (vendor: 'dmall', baseUrl: string, timeoutMs: number) => {
    const client = new VendorHttp({
      vendor,
      baseUrl,
      timeoutMs,
      maxBodyBytes: config.http.maxBodyBytes,
      readRetries: config.http.readRetries,
      breakerFailures: config.http.breakerFailures,
      breakerHalfOpenMs: config.http.breakerHalfOpenMs,
      maxConcurrency: config.http.maxConcurrency,
      metrics,
      logger,
    });
    https.push(client);
    return client;
  };

  const dmallUrl = config.dmall.baseUrl ?? sandbox.urls.dmall;
  if (!dmallUrl) throw new Error('dmall has neither a base URL nor a running simulator');
  const dmall = new DmallClient({
    http: http('dmall', dmallUrl, config.dmall.timeoutMs),
    apiKey: config.dmall.baseUrl ? config.dmall.apiKey! : SANDBOX_CREDENTIALS.dmall.apiKey,
  });

  return {
    dmall,
    async close() {
      await Promise.all(https.map((h) => h.close()));
    },
  };
}
