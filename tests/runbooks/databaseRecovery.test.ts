// Runs the database-recovery runbook's executed code blocks (```bash exec) in one bash shell, in order, as an
// operator would paste them: the logical-dump path, from a "production" PostgreSQL to a second, empty one standing
// for the new instance. DATABASE_URL carries Prisma's own parameters (?schema=public, connection_limit, pool_timeout)
// around libpq's sslmode, as the API's secret does. The blocks' output
// is checked, and so is what they leave in both databases: rows, owners, grants and roles.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { extractCodeBlocks, splitFrontMatter } from '../../src/runbooks/markdown';
import { PostgresCluster, postgresBinDir, startPostgres } from './postgresCluster';
import { Shell } from './shell';

const ROOT = path.resolve(__dirname, '..', '..');
const API_LOGIN = 'opsdesk_api_20260101';
const API_PASSWORD = 'a1b2c3d4e5f6a7b8';
const TARGET_ADMIN = 'dbadmin';
const TARGET_ADMIN_PASSWORD = 'f0e1d2c3b4a59687';

/** The "production" database: the API's tables, owned by its group role or by the login that ran a migration. */
const PRODUCTION_ROLES = `
CREATE ROLE opsdesk_app NOLOGIN;
CREATE ROLE ${API_LOGIN} LOGIN PASSWORD '${API_PASSWORD}' IN ROLE opsdesk_app;
CREATE ROLE opsdesk_readonly NOLOGIN;
CREATE DATABASE opsdesk OWNER opsdesk_app;
`;
const PRODUCTION_TABLES = `
SET ROLE opsdesk_app;
CREATE TABLE "Ticket" (id serial PRIMARY KEY, title text NOT NULL, "createdAt" timestamptz NOT NULL);
CREATE TABLE "Comment" (id serial PRIMARY KEY, "ticketId" int NOT NULL REFERENCES "Ticket" (id), body text NOT NULL);
INSERT INTO "Ticket" (title, "createdAt")
  SELECT 'ticket ' || n, timestamptz '2026-11-26 15:03:36.201+00' + n * interval '1 second' FROM generate_series(1, 5) n;
INSERT INTO "Comment" ("ticketId", body) SELECT 1 + n % 3, 'comment ' || n FROM generate_series(1, 12) n;
GRANT SELECT ON "Ticket", "Comment" TO opsdesk_readonly;
SET ROLE ${API_LOGIN};
CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, migration_name text NOT NULL, finished_at timestamptz);
INSERT INTO _prisma_migrations VALUES ('m1', '20260101000000_init', now()), ('m2', '20260201000000_comments', now());
`;
const TICKETS = ['1|ticket 1', '2|ticket 2', '3|ticket 3', '4|ticket 4', '5|ticket 5'];

describe('runbooks/database-recovery.md, executed: the logical-dump path', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'database-recovery-'));
  const backupDir = path.join(tmp, 'db-recovery');
  let production: PostgresCluster;
  let target: PostgresCluster;
  let shell: Shell;
  let blocks: string[];
  let databaseUrl: string;

  before(async () => {
    production = await startPostgres('production-admin-5f1e');
    target = await startPostgres('target-admin-9c2d');
    production.query(PRODUCTION_ROLES);
    production.query(PRODUCTION_TABLES, production.adminUrl('opsdesk'));
    // The new instance's admin is no superuser, as on a managed service (RDS's master user): it may create roles
    // and databases, and nothing else.
    target.query(`CREATE ROLE ${TARGET_ADMIN} LOGIN CREATEROLE CREATEDB PASSWORD '${TARGET_ADMIN_PASSWORD}'`);

    const { body } = splitFrontMatter(fs.readFileSync(path.join(ROOT, 'runbooks', 'database-recovery.md'), 'utf8'));
    blocks = extractCodeBlocks(body)
      .filter((block) => block.info === 'bash exec')
      .map((block) => block.content);
    // What the runbook's plain "Set these first" blocks load from the secret and the operator: the API's URL, as
    // Prisma takes it, and the target instance's admin URL.
    databaseUrl = `postgresql://${API_LOGIN}:${API_PASSWORD}@127.0.0.1:${production.port}/opsdesk?schema=public&connection_limit=5&sslmode=disable&pool_timeout=10`;
    shell = new Shell(
      {
        PATH: `${postgresBinDir()}${path.delimiter}${process.env.PATH}`,
        HOME: tmp,
        TMPDIR: tmp,
        PGCONNECT_TIMEOUT: '10',
        DATABASE_URL: databaseUrl,
        TARGET_ADMIN_URL: `postgresql://${TARGET_ADMIN}:${TARGET_ADMIN_PASSWORD}@127.0.0.1:${target.port}/postgres?sslmode=disable`,
      },
      tmp
    );
  });

  after(() => {
    shell?.close();
    for (const cluster of [production, target]) {
      try {
        cluster?.stop();
      } catch (error) {
        console.error(error);
      }
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const restored = (sql: string) => target.query(sql, target.adminUrl('opsdesk_restore'));
  const live = (sql: string) => production.query(sql, production.adminUrl('opsdesk'));
  const tickets = (query: (sql: string) => string) => query('SELECT id, title FROM "Ticket" ORDER BY id').split('\n');

  it('has the twelve executed blocks of the path, in order', () => {
    const expected = [
      /^DATABASE=opsdesk\b[\s\S]*PSQL_URL=\$\(sed/,
      /^pg_isready -d "\$PSQL_URL"/,
      /count-rows\.sql[\s\S]*counts-before\.tsv/,
      /^pg_dumpall [^\n]*--roles-only --no-role-passwords[\s\S]*^pg_dump "\$PSQL_URL" --format=custom/m,
      /pg_restore --list/,
      /^RESTORE_DATABASE_URL=[\s\S]*CREATE DATABASE/m,
      /^pg_restore --dbname="\$RESTORE_DATABASE_URL"/,
      /counts-restored\.tsv[\s\S]*join/,
      /^COPY_TABLE=/,
      /before-copy-back\.csv[\s\S]*ROLLBACK;/,
      /ON CONFLICT[\s\S]*COMMIT;/,
      /^RESTORE_HOST_DB=[\s\S]*NEW_DATABASE_URL=/,
    ];
    assert.equal(blocks.length, expected.length);
    expected.forEach((pattern, index) => assert.match(blocks[index], pattern, `block ${index}`));
  });

  it('sets the names, and a PSQL_URL that psql accepts where it rejects the Prisma URL', async () => {
    assert.equal(await shell.run(blocks[0]), '');
    assert.equal(
      await shell.run('echo "$PSQL_URL $RESTORE_DB"'),
      `postgresql://${API_LOGIN}:${API_PASSWORD}@127.0.0.1:${production.port}/opsdesk?sslmode=disable opsdesk_restore\n`
    );
    assert.equal(fs.statSync(backupDir).mode & 0o777, 0o700);
    const raw = await shell.run('psql "$DATABASE_URL" -c "SELECT 1" 2>&1 || true');
    assert.match(raw, /invalid URI query parameter: "schema"/);
  });

  it('asks PostgreSQL directly, as the API, whether it answers', async () => {
    const output = await shell.run(blocks[1]);
    assert.match(output, new RegExp(`^127\\.0\\.0\\.1:${production.port} - accepting connections$`, 'm'));
    assert.match(output, /^ \d{4}-\d\d-\d\d [\d:.+]+ \| f\s+\| /m);
  });

  it('records the exact row count and newest createdAt of every table, before the restore', async () => {
    const output = await shell.run(blocks[2]);
    const expected = ['Comment\t12\t-', 'Ticket\t5\t2026-11-26T15:03:41.201+00:00', '_prisma_migrations\t2\t-'];
    assert.deepEqual(output.trimEnd().split('\n'), expected);
    assert.deepEqual(
      fs.readFileSync(path.join(backupDir, 'counts-before.tsv'), 'utf8').trimEnd().split('\n'),
      expected
    );
  });

  it('takes a fresh dump and the roles, without passwords, as the API login (no superuser)', async () => {
    assert.equal(await shell.run(blocks[3]), '');
    const roles = fs.readFileSync(path.join(backupDir, 'roles.sql'), 'utf8');
    assert.match(roles, /^CREATE ROLE opsdesk_app;$/m);
    assert.match(roles, new RegExp(`^GRANT opsdesk_app TO ${API_LOGIN}\\b`, 'm'));
    assert.doesNotMatch(roles, /PASSWORD/);
    assert.ok(fs.statSync(path.join(backupDir, 'opsdesk.dump')).size > 0);
  });

  it('checks that the dump and the roles file are readable', async () => {
    const output = await shell.run(blocks[4]);
    assert.match(output, /^tables with data: 3$/m);
    assert.match(output, new RegExp(`^roles: ${API_LOGIN} opsdesk_app opsdesk_readonly postgres$`, 'm'));
  });

  it('creates the roles on the new instance first, then the empty database, owned by the group role', async () => {
    await shell.run(blocks[5]);
    assert.equal(
      target.query(
        "SELECT rolname, rolcanlogin, rolpassword IS NULL FROM pg_authid WHERE rolname LIKE 'opsdesk%' ORDER BY 1"
      ),
      [`${API_LOGIN}|t|t`, 'opsdesk_app|f|t', 'opsdesk_readonly|f|t'].join('\n')
    );
    assert.equal(
      target.query(`SELECT pg_has_role('${API_LOGIN}', 'opsdesk_app', 'MEMBER')`),
      't',
      'the API login is a member of the group role again'
    );
    assert.equal(
      target.query(
        `SELECT pg_has_role('${TARGET_ADMIN}', 'opsdesk_app', 'USAGE'), pg_has_role('${TARGET_ADMIN}', '${API_LOGIN}', 'USAGE')`
      ),
      't|t',
      'the admin joined the roles that own objects in the dump, to restore their ownership'
    );
    assert.equal(
      target.query("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'opsdesk_restore'"),
      'opsdesk_app'
    );
    assert.equal(restored("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), '0');
  });

  it('restores the dump with its rows, owners and grants', async () => {
    await shell.run(blocks[6]);
    assert.deepEqual(tickets(restored), TICKETS);
    assert.equal(restored('SELECT count(*) FROM "Comment"'), '12');
    assert.equal(
      restored("SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"),
      ['Comment|opsdesk_app', 'Ticket|opsdesk_app', `_prisma_migrations|${API_LOGIN}`].join('\n')
    );
    assert.equal(
      restored(
        `SELECT has_table_privilege('opsdesk_readonly', '"Ticket"', 'SELECT'),
                has_table_privilege('opsdesk_readonly', '"Ticket"', 'INSERT'),
                has_table_privilege('${API_LOGIN}', '"Comment"', 'INSERT')`
      ),
      't|f|t'
    );
    assert.equal(restored('SELECT nextval(\'"Ticket_id_seq"\')'), '6', 'the sequence continues after the last id');
  });

  it('compares the counts: every table matches, and a lost row shows', async () => {
    const output = await shell.run(blocks[7]);
    assert.match(output, /^table\s+before\s+restored\s+newest createdAt \(restored\)$/m);
    assert.match(output, /^Ticket\s+5\s+5\s+2026-11-26T15:03:41\.201\+00:00$/m);
    assert.match(output, /^Comment\s+12\s+12\s+-$/m);
    assert.match(output, /^every table matches$/m);
    assert.doesNotMatch(output, /DIFFERS/);

    restored(`DELETE FROM "Comment" WHERE id = 12`);
    try {
      const lost = await shell.run(blocks[7]);
      assert.match(lost, /^Comment\s+12\s+11\s+-\s+DIFFERS$/m);
      assert.match(lost, /^1 table\(s\) differ$/m);
    } finally {
      restored(`INSERT INTO "Comment" (id, "ticketId", body) VALUES (12, 1, 'comment 12')`);
    }
  });

  it('previews a copy back of damaged rows without changing the live table', async () => {
    // The damage: two titles overwritten and one ticket deleted; then writes the copy back must keep.
    live(`UPDATE "Ticket" SET title = 'overwritten' WHERE id IN (2, 3)`);
    live(`DELETE FROM "Ticket" WHERE id = 4`);
    live(`UPDATE "Ticket" SET title = 'edited later' WHERE id = 1`);
    live(`INSERT INTO "Ticket" (title, "createdAt") VALUES ('written later', now())`);
    const damaged = tickets(live);

    assert.equal(await shell.run(blocks[8]), '');
    const output = await shell.run(blocks[9]);
    assert.match(output, /^COPY 2$/m, 'the two live rows saved before the copy back');
    assert.match(output, /^COPY 3$/m, 'the three good rows exported from the restored copy');
    assert.match(output, /^\s+1 \|\s+2 \|\s+0 \| 2, 3, 4$/m);
    assert.deepEqual(tickets(live), damaged);
    assert.equal(
      fs.readFileSync(path.join(backupDir, 'before-copy-back.csv'), 'utf8').split('\n').slice(0, 3).join('\n'),
      'id,title,createdAt\n2,overwritten,2026-11-26 15:03:38.201+00\n3,overwritten,2026-11-26 15:03:39.201+00'
    );
  });

  it('copies the rows back in one transaction, and keeps the later writes', async () => {
    const output = await shell.run(blocks[10]);
    assert.match(output, /^INSERT 0 3$/m);
    assert.match(output, /^Copied back: all 3 rows of the file are in the table\.$/m);
    assert.match(output, /^COMMIT$/m);
    assert.deepEqual(tickets(live), ['1|edited later', ...TICKETS.slice(1), '6|written later']);
    assert.equal(live('SELECT count(*) FROM pg_tables WHERE tablename = $$restore_rows$$'), '0');
  });

  it('builds the API URL for the restored database and reads it as the API login', async () => {
    const url = `postgresql://${API_LOGIN}:${API_PASSWORD}@127.0.0.1:${target.port}/opsdesk_restore?sslmode=disable`;
    // The roles came without passwords: the login cannot connect until the runbook's \password step, which the
    // test stands in for here.
    const refused = target.tryQuery('SELECT 1', url);
    assert.notEqual(refused.status, 0);
    assert.match(refused.output, /password authentication failed/);
    target.query(`ALTER ROLE ${API_LOGIN} PASSWORD '${API_PASSWORD}'`);

    const output = await shell.run(blocks[11]);
    assert.match(output, new RegExp(`^ ${API_LOGIN} \\| opsdesk_restore\\s+\\|\\s+2$`, 'm'));
    assert.equal(
      await shell.run('echo "$NEW_DATABASE_URL"'),
      `postgresql://${API_LOGIN}:${API_PASSWORD}@127.0.0.1:${target.port}/opsdesk_restore?schema=public&connection_limit=5&sslmode=disable&pool_timeout=10\n`
    );
  });
});
