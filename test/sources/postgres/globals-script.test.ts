// The globals scripts of a whole-server point, read as statements and planned against a target's
// roles: only the roles the target lacks are created (and their memberships), those it has are
// never touched; tablespaces come with their own statements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRoles, readGlobalsScript, readTablespaces, splitStatements } from '../../../src/sources/postgres/globals-script.ts';

const ROLES = `--
-- PostgreSQL database cluster dump
--
\\restrict abc123
SET default_transaction_read_only = off;

--
-- Roles
--

CREATE ROLE app_owner;
ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;
CREATE ROLE postgres;
ALTER ROLE postgres WITH SUPERUSER INHERIT CREATEROLE CREATEDB LOGIN REPLICATION BYPASSRLS;
CREATE ROLE "Odd;Name";
COMMENT ON ROLE "Odd;Name" IS 'it''s -- not a comment; really';
CREATE ROLE reporting;
ALTER ROLE reporting WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;

--
-- Role memberships
--

GRANT app_owner TO reporting WITH INHERIT TRUE GRANTED BY postgres;
GRANT app_owner TO postgres GRANTED BY postgres;
GRANT reporting TO "Odd;Name" GRANTED BY someone_gone;
`;

test('splits at semicolons outside quotes, without comments or psql meta-commands', () => {
  const statements = splitStatements(ROLES);
  assert.equal(statements[0], 'SET default_transaction_read_only = off;');
  assert.ok(statements.includes(`COMMENT ON ROLE "Odd;Name" IS 'it''s -- not a comment; really';`));
  assert.ok(!statements.some((s) => s.includes('restrict') || s.startsWith('--')));
  assert.equal(statements.length, 12);
});

test('a target with postgres and reporting: only app_owner and "Odd;Name" are created, the others never named', () => {
  const plan = planRoles(readGlobalsScript(ROLES), new Set(['postgres', 'reporting']));
  assert.deepEqual(plan.created, ['app_owner', 'Odd;Name']);
  assert.deepEqual(plan.existing, ['postgres', 'reporting']);
  assert.deepEqual(plan.statements, [
    'SET default_transaction_read_only = off;',
    'CREATE ROLE app_owner;',
    'ALTER ROLE app_owner WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;',
    'CREATE ROLE "Odd;Name";',
    `COMMENT ON ROLE "Odd;Name" IS 'it''s -- not a comment; really';`,
    // A grantor the target lacks is dropped: the restoring user grants it.
    'GRANT reporting TO "Odd;Name";',
  ]);
});

test('a target with none of the roles gets every statement', () => {
  const plan = planRoles(readGlobalsScript(ROLES), new Set());
  assert.deepEqual(plan.created, ['app_owner', 'postgres', 'Odd;Name', 'reporting']);
  assert.equal(plan.statements.filter((s) => s.startsWith('GRANT')).length, 3);
});

test('tablespaces: each CREATE with its location and its other statements', () => {
  const script = `SET x = 1;
CREATE TABLESPACE fastspace OWNER postgres LOCATION '/srv/it''s/ts';
ALTER TABLESPACE fastspace SET (random_page_cost='1.1');
GRANT ALL ON TABLESPACE fastspace TO reporting;
CREATE TABLESPACE "Slow Space" OWNER app_owner LOCATION '/srv/slow';
`;
  assert.deepEqual(readTablespaces(readGlobalsScript(script)), [
    {
      name: 'fastspace', create: "CREATE TABLESPACE fastspace OWNER postgres LOCATION '/srv/it''s/ts';", location: "/srv/it's/ts",
      rest: ["ALTER TABLESPACE fastspace SET (random_page_cost='1.1');", 'GRANT ALL ON TABLESPACE fastspace TO reporting;'],
    },
    { name: 'Slow Space', create: `CREATE TABLESPACE "Slow Space" OWNER app_owner LOCATION '/srv/slow';`, location: '/srv/slow', rest: [] },
  ]);
  // A tablespace grant is the tablespace's, not the grantee role's.
  assert.deepEqual(planRoles(readGlobalsScript(script), new Set()).statements, ['SET x = 1;']);
});
