import { implementedSimulators, SANDBOX_CREDENTIALS, startSimulators } from './vendors/sandbox.js';

/**
 * `npm run sandbox`: every vendor simulator, standalone, for app developers who point their own
 * gateway (or curl) at them. Ports start at the first argument (default 4100), one per vendor.
 */
const base = Number(process.argv[2] ?? 4100);
const vendors = implementedSimulators();
const sandbox = await startSimulators(vendors, {
  port: (v) => base + vendors.indexOf(v),
  host: '127.0.0.1',
});
for (const [vendor, url] of Object.entries(sandbox.urls)) {
  process.stdout.write(`${vendor.padEnd(10)} ${url}\n`);
}
process.stdout.write(`credentials: ${JSON.stringify(SANDBOX_CREDENTIALS)}\n`);
process.stdout.write('Ctrl-C to stop.\n');
const stop = () => void sandbox.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
