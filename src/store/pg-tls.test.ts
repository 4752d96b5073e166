import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isWardenError } from '../errors.ts';
import { pgConnection, requireVerifiedDatabase } from './pg-tls.ts';

const dir = mkdtempSync(join(tmpdir(), 'warden-pg-tls-'));
const ca = join(dir, 'ca.pem');
writeFileSync(ca, 'CA PEM');
after(() => rmSync(dir, { recursive: true, force: true }));
const base = 'postgres://u:p@db.example.com:5432/warden';

test('sslmode as libpq means it, spelled out for pg; the URL pg sees carries no TLS words to override it', () => {
  assert.deepEqual(pgConnection(base), { connectionString: base });
  const full = pgConnection(`${base}?sslmode=verify-full&sslrootcert=${ca}&application_name=x`);
  assert.equal(full.connectionString, `${base}?application_name=x`);
  assert.deepEqual(full.ssl, { ca: 'CA PEM', rejectUnauthorized: true });
  assert.deepEqual(pgConnection(`${base}?sslmode=verify-full&sslrootcert=system`).ssl, {
    rejectUnauthorized: true,
  });
  const verifyCa = pgConnection(`${base}?sslmode=verify-ca&sslrootcert=${ca}`).ssl;
  assert.ok(verifyCa && verifyCa.rejectUnauthorized === true && verifyCa.ca === 'CA PEM');
  assert.equal(
    verifyCa.checkServerIdentity?.('other.host', {} as never),
    undefined,
    'the chain, not the name',
  );
  assert.deepEqual(pgConnection(`${base}?sslmode=require`).ssl, { rejectUnauthorized: false });
  const requireWithCa = pgConnection(`${base}?sslmode=require&sslrootcert=${ca}`).ssl;
  assert.ok(
    requireWithCa && requireWithCa.rejectUnauthorized === true,
    'require with a root certificate checks the chain',
  );
  assert.equal(pgConnection(`${base}?sslmode=disable`).ssl, false);
  assert.throws(() => pgConnection(`${base}?sslmode=verify-fu11`), /sslmode=verify-fu11 is not a mode/);
  assert.throws(
    () => pgConnection(`${base}?sslmode=verify-full&sslrootcert=${dir}/none.pem`),
    /sslrootcert=.*none\.pem does not exist/,
  );
});

test('verify-full required: only sslmode=verify-full with a CA passes, and the refusal says how to fix the URL', () => {
  const refusal = (url: string) => {
    try {
      requireVerifiedDatabase(url, 'verify-full', 'WARDEN_DATABASE_REQUIRE_TLS');
      return undefined;
    } catch (error) {
      assert.ok(isWardenError(error));
      return error.describe();
    }
  };
  assert.equal(refusal(`${base}?sslmode=verify-full&sslrootcert=${ca}`), undefined);
  assert.match(
    refusal(base) ?? '',
    /it has no sslmode, and WARDEN_DATABASE_REQUIRE_TLS is verify-full — add \?sslmode=verify-full&sslrootcert=/,
  );
  for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'no-verify'])
    assert.match(
      refusal(`${base}?sslmode=${mode}&sslrootcert=${ca}`) ?? '',
      new RegExp(`its sslmode is ${mode}`),
    );
  assert.match(refusal(`${base}?sslmode=verify-full`) ?? '', /it names no CA/);
  assert.throws(
    () => requireVerifiedDatabase(base, 'yes', 'WARDEN_DATABASE_REQUIRE_TLS'),
    /must be verify-full/,
  );
  requireVerifiedDatabase(base, undefined, 'x');
});
