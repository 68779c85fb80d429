import { loadConfig } from './config.js';
import { VENDOR_MODULES } from './vendors/index.js';
import type { VendorSection } from './vendors/module.js';
import { startSimulators } from './vendors/sandbox.js';

/**
 * `npm run sandbox`: every vendor simulator, standalone, for app developers who point their own
 * gateway (or curl) at them. Ports start at the first argument (default 4100), one per vendor;
 * a second argument makes every answer wait that many milliseconds (a vendor's processing time).
 * (The gateway's own in-process sandbox is `src/vendors/sandbox.ts`.)
 */
const base = Number(process.argv[2] ?? 4100);
/** Second argument: milliseconds every simulator waits before answering (default 0). */
const delayMs = Number(process.argv[3] ?? 0);
const modules = VENDOR_MODULES.filter((m) => m.sandbox);
const config = loadConfig({ LOG_LEVEL: 'silent' }) as unknown as Record<string, VendorSection>;
const sandbox = await startSimulators(modules, config, {
  port: (vendor) => base + modules.findIndex((m) => m.name === vendor),
  host: '127.0.0.1',
});
for (const sim of Object.values(sandbox.simulators)) sim.delayMs = delayMs;
for (const [vendor, url] of Object.entries(sandbox.urls)) {
  process.stdout.write(`${vendor.padEnd(10)} ${url}\n`);
}
const credentials = Object.fromEntries(modules.map((m) => [m.name, m.sandbox?.credentials]));
process.stdout.write(`credentials: ${JSON.stringify(credentials)}\n`);
process.stdout.write('Ctrl-C to stop.\n');
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
