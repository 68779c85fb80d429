import { type Plugin, useReadinessCheck } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { Gauge, type Registry } from 'prom-client';
import type { Database } from '../store/database.js';

export interface ReadinessOptions {
  db: Database;
  redis: Redis | null;
  /** `REDIS_REQUIRED`: Redis unreachable makes the gateway unready instead of degraded. */
  redisRequired: boolean;
  registry: Registry;
  /** Things worth telling an operator that never make the instance unready (a low balance). */
  notes?: () => Promise<string[]>;
}

export interface Readiness {
  /** `ok`: all answers; `degraded`: serving without an optional dependency; `unavailable`. */
  status: 'ok' | 'degraded' | 'unavailable';
  ready: boolean;
  problems: string[];
  /** Worth a look, but not a reason to take the instance out of service. */
  notes?: string[];
}

/**
 * `/readyz` answers whether this instance should take traffic. The database is required (no
 * sale without it). Redis only carries live updates across instances, and sales work without
 * it: by default Redis down is `degraded` (200, with the reason), so one Redis outage does not
 * take every instance out of the load balancer. The same state is exported as gauges, read at
 * each scrape.
 */
export function readinessPlugin({
  db,
  redis,
  redisRequired,
  registry,
  notes,
}: ReadinessOptions): Plugin {
  const up = new Gauge({
    name: 'gateway_dependency_up',
    help: '1 when the dependency answers, 0 when it does not (database; redis when configured)',
    labelNames: ['dependency'],
    registers: [registry],
    async collect() {
      await check();
    },
  });
  const state = new Gauge({
    name: 'gateway_readiness',
    help: '1 for the current readiness of this instance: ok, degraded (serving without Redis) or unavailable',
    labelNames: ['state'],
    registers: [registry],
  });

  const check = async (): Promise<Readiness> => {
    const problems: string[] = [];
    const dbState = await db.isReady();
    if (!dbState.ok) problems.push(dbState.reason);
    up.set({ dependency: 'database' }, dbState.ok ? 1 : 0);
    let redisUp = true;
    if (redis) {
      try {
        await redis.ping();
      } catch (err) {
        redisUp = false;
        problems.push(`redis unreachable: ${(err as Error).message}`);
      }
      up.set({ dependency: 'redis' }, redisUp ? 1 : 0);
    }
    const ready = dbState.ok && (redisUp || !redisRequired);
    const status = !ready ? 'unavailable' : problems.length > 0 ? 'degraded' : 'ok';
    for (const s of ['ok', 'degraded', 'unavailable'] as const) {
      state.set({ state: s }, status === s ? 1 : 0);
    }
    return { status, ready, problems };
  };

  return useReadinessCheck({
    endpoint: '/readyz',
    check: async ({ fetchAPI }) => {
      const r = await check();
      const noted = notes ? await notes().catch(() => []) : [];
      if (noted.length > 0) r.notes = noted;
      return new fetchAPI.Response(JSON.stringify(r), {
        status: r.ready ? 200 : 503,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
}
