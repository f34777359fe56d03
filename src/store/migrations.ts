/**
 * The store's schema, as numbered migrations applied in order. A store records the highest version applied; opening
 * an older store runs the missing ones, opening a newer one is refused (an older scopeguard cannot know its tables).
 * Never edit a released migration: add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'events and imports',
    sql: `
      CREATE SEQUENCE IF NOT EXISTS import_ids START 1;
      CREATE TABLE imports (
        import_id    INTEGER PRIMARY KEY DEFAULT nextval('import_ids'),
        file         VARCHAR NOT NULL,   -- as given on the command line; '-' for stdin
        sha256       VARCHAR,            -- of the bytes read (compressed when the file is .gz); NULL until finished
        provider     VARCHAR NOT NULL,
        tenant       VARCHAR,
        read_count   BIGINT NOT NULL DEFAULT 0,
        imported     BIGINT NOT NULL DEFAULT 0,
        duplicates   BIGINT NOT NULL DEFAULT 0,
        rejected     BIGINT NOT NULL DEFAULT 0,
        skipped      BIGINT NOT NULL DEFAULT 0,
        started_at   TIMESTAMP NOT NULL,
        finished_at  TIMESTAMP          -- NULL: interrupted; the events of its committed batches are kept
      );
      -- One row per normalized audit event (src/schema/audit-event.schema.json). Times are UTC.
      -- (tenant, provider, event_id) is unique: the importer inserts with an anti-join per batch, which keeps
      -- bulk loads fast and memory flat where a unique index on 2M+ keys would not.
      CREATE TABLE events (
        tenant            VARCHAR NOT NULL,
        provider          VARCHAR NOT NULL,
        event_id          VARCHAR NOT NULL,
        time              TIMESTAMP NOT NULL,
        type              VARCHAR NOT NULL,
        raw_type          VARCHAR,
        outcome           VARCHAR NOT NULL,
        actor_id          VARCHAR,
        actor_type        VARCHAR,
        actor_name        VARCHAR,
        client_id         VARCHAR,
        scopes            VARCHAR[] NOT NULL,
        requested_scopes  VARCHAR[] NOT NULL,
        token_id          VARCHAR,
        grant_id          VARCHAR,
        request_method    VARCHAR,
        request_path      VARCHAR,
        request_status    INTEGER,
        ip                VARCHAR,
        user_agent        VARCHAR,
        source_file       VARCHAR,
        source_line       BIGINT,
        import_id         INTEGER NOT NULL,
        raw               JSON             -- the scrubbed provider record, only with --keep-raw
      );
    `,
  },
  {
    version: 2,
    description: 'event_scopes view: one row per event and granted scope',
    sql: `
      CREATE VIEW event_scopes AS
        SELECT tenant, provider, event_id, time, type, outcome, client_id, token_id, request_method, request_path,
               unnest(scopes) AS scope
        FROM events;
    `,
  },
  {
    version: 3,
    description: 'alert_deliveries: which findings each alert target has received',
    sql: `
      -- A finding is alerted once per target; a row is written only after a 2xx, so a failed alert is sent again.
      CREATE TABLE alert_deliveries (
        target        VARCHAR NOT NULL,   -- sha256 of the target URL (URLs may embed secrets)
        fingerprint   VARCHAR NOT NULL,
        rule_id       VARCHAR NOT NULL,
        tenant        VARCHAR NOT NULL,
        delivered_at  TIMESTAMP NOT NULL
      );
    `,
  },
];

export const CURRENT_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
