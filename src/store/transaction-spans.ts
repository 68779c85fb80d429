import type { Span } from '@opentelemetry/api';
import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import { failSpan, failureCode, startChildSpan } from '../tracing.js';

/**
 * A span per database transaction (README "Tracing"), from BEGIN to COMMIT or ROLLBACK, beneath
 * whatever traced work opened it. Every `db.transaction()` of the stores passes through the
 * driver, so this is the one place; outside a traced operation (migrations, the sweeper, the
 * readiness probe) it costs one context lookup. The span says which database and how the
 * transaction ended, never a statement or a value.
 */
export function withTransactionSpans(dialect: Dialect, system: 'postgresql' | 'sqlite'): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createDriver: () => traceDriver(dialect.createDriver(), system),
  };
}

function traceDriver(driver: Driver, system: string): Driver {
  const open = new WeakMap<DatabaseConnection, Span>();
  const begin = driver.beginTransaction.bind(driver);
  const commit = driver.commitTransaction.bind(driver);
  const rollback = driver.rollbackTransaction.bind(driver);
  const end = (connection: DatabaseConnection, outcome: string, err?: unknown) => {
    const span = open.get(connection);
    if (!span) return;
    open.delete(connection);
    span.setAttribute('db.transaction.outcome', outcome);
    if (err !== undefined) failSpan(span, failureCode(err));
    span.end();
  };
  driver.beginTransaction = async (connection, settings) => {
    const span = startChildSpan('db.transaction', { attributes: { 'db.system.name': system } });
    if (span) open.set(connection, span);
    try {
      await begin(connection, settings);
    } catch (err) {
      end(connection, 'not-begun', err);
      throw err;
    }
  };
  driver.commitTransaction = async (connection) => {
    try {
      await commit(connection);
      end(connection, 'commit');
    } catch (err) {
      end(connection, 'commit-failed', err);
      throw err;
    }
  };
  driver.rollbackTransaction = async (connection) => {
    try {
      await rollback(connection);
      end(connection, 'rollback');
    } catch (err) {
      end(connection, 'rollback-failed', err);
      throw err;
    }
  };
  return driver;
}
