namespace Pbx.Storage.Migrations;

/// <summary>
/// The schema history. Journals key users by login ID rather than by row id on purpose: a call or chat
/// history outlives the deletion of the user it mentions.
/// </summary>
public static class Schema
{
    public static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "directory", """
            CREATE TABLE users (
                id                      INTEGER PRIMARY KEY,
                login_id                TEXT    NOT NULL UNIQUE COLLATE NOCASE,
                display_name            TEXT    NOT NULL,
                email                   TEXT,
                language                TEXT    NOT NULL DEFAULT 'en',
                avatar                  BLOB,
                avatar_type             TEXT,
                digest_realm            TEXT    NOT NULL,
                digest_ha1_md5          TEXT    NOT NULL,
                digest_ha1_sha256       TEXT    NOT NULL,
                scram_sha1_salt         BLOB    NOT NULL,
                scram_sha1_iterations   INTEGER NOT NULL,
                scram_sha1_stored_key   BLOB    NOT NULL,
                scram_sha1_server_key   BLOB    NOT NULL,
                scram_sha256_salt       BLOB    NOT NULL,
                scram_sha256_iterations INTEGER NOT NULL,
                scram_sha256_stored_key BLOB    NOT NULL,
                scram_sha256_server_key BLOB    NOT NULL,
                created_at              TEXT    NOT NULL
            );
            CREATE TABLE groups (
                id        INTEGER PRIMARY KEY,
                name      TEXT NOT NULL UNIQUE COLLATE NOCASE,
                ring_mode TEXT NOT NULL CHECK (ring_mode IN ('Parallel', 'Hunting'))
            );
            CREATE TABLE group_members (
                group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
                user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                position INTEGER NOT NULL,
                PRIMARY KEY (group_id, user_id)
            );
            CREATE TABLE numbers (
                number   TEXT PRIMARY KEY,
                kind     TEXT NOT NULL CHECK (kind IN ('Internal', 'External')),
                user_id  INTEGER REFERENCES users(id) ON DELETE CASCADE,
                group_id INTEGER REFERENCES groups(id) ON DELETE CASCADE,
                CHECK ((user_id IS NULL) <> (group_id IS NULL))
            );
            CREATE TABLE devices (
                id               INTEGER PRIMARY KEY,
                user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                kind             TEXT    NOT NULL CHECK (kind IN ('DeskPhone', 'Softphone', 'MobileClient', 'CellNumber', 'Added')),
                name             TEXT    NOT NULL,
                number           TEXT,
                max_ring_seconds INTEGER
            );
            CREATE INDEX devices_user ON devices(user_id);
            CREATE INDEX numbers_user ON numbers(user_id);
            CREATE INDEX numbers_group ON numbers(group_id);
            """),
        new(2, "journals", """
            CREATE TABLE call_journal (
                id            INTEGER PRIMARY KEY,
                user_login_id TEXT NOT NULL COLLATE NOCASE,
                call_id       TEXT NOT NULL,
                direction     TEXT NOT NULL CHECK (direction IN ('Incoming', 'Outgoing')),
                local_number  TEXT NOT NULL,
                remote_number TEXT NOT NULL,
                remote_name   TEXT,
                started_at    TEXT NOT NULL,
                answered_at   TEXT,
                ended_at      TEXT NOT NULL,
                result        TEXT NOT NULL CHECK (result IN ('Answered', 'Missed', 'Busy', 'Rejected', 'Failed')),
                cause         TEXT
            );
            CREATE INDEX call_journal_user_started ON call_journal(user_login_id, started_at);
            CREATE TABLE chat_journal (
                id         TEXT PRIMARY KEY,
                at         TEXT NOT NULL,
                from_jid   TEXT NOT NULL COLLATE NOCASE,
                to_jid     TEXT NOT NULL COLLATE NOCASE,
                body       TEXT,
                stanza_xml TEXT NOT NULL
            );
            CREATE INDEX chat_journal_from ON chat_journal(from_jid, id);
            CREATE INDEX chat_journal_to ON chat_journal(to_jid, id);
            """),
        new(3, "xmpp", """
            CREATE TABLE roster_items (
                owner        TEXT NOT NULL COLLATE NOCASE,
                contact      TEXT NOT NULL COLLATE NOCASE,
                name         TEXT,
                subscription TEXT NOT NULL CHECK (subscription IN ('None', 'To', 'From', 'Both')),
                ask          INTEGER NOT NULL,
                groups_json  TEXT NOT NULL,
                PRIMARY KEY (owner, contact)
            );
            CREATE TABLE roster_pending_inbound (
                owner   TEXT NOT NULL COLLATE NOCASE,
                contact TEXT NOT NULL COLLATE NOCASE,
                PRIMARY KEY (owner, contact)
            );
            CREATE TABLE offline_messages (
                id          INTEGER PRIMARY KEY,
                owner       TEXT NOT NULL COLLATE NOCASE,
                stanza_xml  TEXT NOT NULL,
                stored_at   TEXT NOT NULL
            );
            CREATE INDEX offline_messages_owner ON offline_messages(owner, id);
            CREATE TABLE vcards (
                owner      TEXT PRIMARY KEY COLLATE NOCASE,
                vcard_xml  TEXT NOT NULL
            );
            CREATE TABLE block_list (
                owner TEXT NOT NULL COLLATE NOCASE,
                jid   TEXT NOT NULL COLLATE NOCASE,
                PRIMARY KEY (owner, jid)
            );
            """),
        new(4, "sip_bindings", """
            CREATE TABLE sip_bindings (
                aor            TEXT    NOT NULL,
                binding_key    TEXT    NOT NULL,
                contact        TEXT    NOT NULL,
                instance_id    TEXT,
                reg_id         INTEGER,
                q              REAL    NOT NULL,
                expires_at     TEXT    NOT NULL,
                call_id        TEXT    NOT NULL,
                cseq           INTEGER NOT NULL,
                transport      TEXT    NOT NULL,
                remote_address TEXT    NOT NULL,
                remote_port    INTEGER NOT NULL,
                connection_id  INTEGER NOT NULL,
                path_json      TEXT    NOT NULL,
                user_agent     TEXT,
                updated_at     TEXT    NOT NULL,
                registered_at  TEXT    NOT NULL,
                PRIMARY KEY (aor, binding_key)
            );
            CREATE INDEX sip_bindings_expiry ON sip_bindings(expires_at);
            """),
        // Party IDs are text, not row ids: the triggers clear a deleted party's rows so a new user or group with the
        // same name starts without them; the JSON is the feature's settings record as RoutingSettingsJson writes it.
        new(5, "routing_settings", """
            CREATE TABLE routing_settings (
                party_kind    TEXT NOT NULL CHECK (party_kind IN ('user', 'group')),
                party_id      TEXT NOT NULL COLLATE NOCASE,
                feature       TEXT NOT NULL,
                settings_json TEXT NOT NULL,
                updated_at    TEXT NOT NULL,
                PRIMARY KEY (party_kind, party_id, feature)
            );
            CREATE TRIGGER users_routing_settings_cleanup AFTER DELETE ON users BEGIN
                DELETE FROM routing_settings WHERE party_kind = 'user' AND party_id = OLD.login_id;
            END;
            CREATE TRIGGER groups_routing_settings_cleanup AFTER DELETE ON groups BEGIN
                DELETE FROM routing_settings WHERE party_kind = 'group' AND party_id = OLD.name;
            END;
            """),
        // SQLite cannot change a CHECK constraint in place: the journal is rebuilt with 'Redirected' allowed (calls
        // routing sent elsewhere without ringing the number's owner), rows and ids kept.
        new(6, "call_journal_redirected", """
            CREATE TABLE call_journal_v6 (
                id            INTEGER PRIMARY KEY,
                user_login_id TEXT NOT NULL COLLATE NOCASE,
                call_id       TEXT NOT NULL,
                direction     TEXT NOT NULL CHECK (direction IN ('Incoming', 'Outgoing')),
                local_number  TEXT NOT NULL,
                remote_number TEXT NOT NULL,
                remote_name   TEXT,
                started_at    TEXT NOT NULL,
                answered_at   TEXT,
                ended_at      TEXT NOT NULL,
                result        TEXT NOT NULL CHECK (result IN ('Answered', 'Missed', 'Busy', 'Rejected', 'Failed', 'Redirected')),
                cause         TEXT
            );
            INSERT INTO call_journal_v6 SELECT id, user_login_id, call_id, direction, local_number, remote_number, remote_name,
                started_at, answered_at, ended_at, result, cause FROM call_journal;
            DROP TABLE call_journal;
            ALTER TABLE call_journal_v6 RENAME TO call_journal;
            CREATE INDEX call_journal_user_started ON call_journal(user_login_id, started_at);
            """),
        // A registration that says it is a mobile client (+sip.mobility="mobile") keeps saying so across restarts.
        new(7, "sip_bindings_mobile", """
            ALTER TABLE sip_bindings ADD COLUMN mobile INTEGER NOT NULL DEFAULT 0;
            """),
        // Conference starts keep the offset they were given (ISO-8601 text such as 2026-03-02T09:00:00.0000000+01:00):
        // repetitions follow that local time of day. The history keeps the name and no foreign key, so it outlives
        // the conference it records.
        new(8, "conferences", """
            CREATE TABLE conference_rooms (
                number           TEXT    PRIMARY KEY,
                name             TEXT    NOT NULL,
                pin              TEXT,
                max_participants INTEGER NOT NULL,
                updated_at       TEXT    NOT NULL
            );
            CREATE TABLE conferences (
                id               INTEGER PRIMARY KEY AUTOINCREMENT,
                name             TEXT    NOT NULL,
                start            TEXT    NOT NULL,
                repetition       TEXT    NOT NULL CHECK (repetition IN ('once', 'daily', 'weekly', 'monthly')),
                duration_seconds INTEGER NOT NULL,
                pin              TEXT    NOT NULL,
                last_launched    TEXT,
                updated_at       TEXT    NOT NULL
            );
            CREATE TABLE conference_participants (
                conference_id INTEGER NOT NULL REFERENCES conferences(id) ON DELETE CASCADE,
                position      INTEGER NOT NULL,
                login_id      TEXT    COLLATE NOCASE,
                number        TEXT,
                is_moderator  INTEGER NOT NULL,
                pbx_calls     INTEGER NOT NULL,
                PRIMARY KEY (conference_id, position),
                CHECK ((login_id IS NULL) <> (number IS NULL))
            );
            CREATE TABLE conference_history (
                id                INTEGER PRIMARY KEY,
                conference_id     INTEGER NOT NULL,
                name              TEXT    NOT NULL,
                started_at        TEXT    NOT NULL,
                ended_at          TEXT    NOT NULL,
                participant_count INTEGER NOT NULL
            );
            CREATE INDEX conference_history_started ON conference_history(started_at);
            """),
    ];

    public static int LatestVersion => Migrations[^1].Version;
}
