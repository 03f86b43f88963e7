import FluentKit
import FluentSQL

/// A version per workspace that moves whenever anything its members list
/// shows changes: a membership added, edited or removed, an account granted
/// or taken back, a member's name or email changed. The members page is
/// cached per version (`MemberPageCache`), so a page is read from the
/// database once per change instead of once per request, in every process.
///
/// Triggers keep the version, not the code that writes: a path that forgets
/// to announce its change (a new service, the CLI, a hand-run SQL fix, another
/// process) cannot leave a stale page behind. A workspace without a row is at
/// version 0; the first change inserts it.
///
/// On PostgreSQL the triggers are deferred to the commit and move the version
/// once per transaction and workspace: joins lock the version row only while
/// they commit (the link row they count a use on is held as long), and a bulk
/// removal of 1,000 members updates it once. On SQLite, where writers take
/// turns anyway, plain row triggers do.
struct CreateMemberListVersions: AsyncMigration {
    var name: String { "0009_create_member_list_versions" }

    static let table = "member_list_versions"

    /// The tables whose rows name their workspace, and the changes the list
    /// shows (an update of a column the page does not show moves nothing).
    private static let watched: [(table: String, events: String)] = [
        ("memberships", "INSERT OR DELETE OR UPDATE OF role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at, user_id"),
        ("account_grants", "INSERT OR DELETE OR UPDATE OF membership_id, account_id"),
    ]

    func prepare(on database: any Database) async throws {
        try await database.schema(Self.table)
            .field("workspace_id", .uuid, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            try await preparePostgres(sql)
        } else {
            try await prepareSQLite(sql)
        }
    }

    private func preparePostgres(_ sql: any SQLDatabase) async throws {
        // The setting remembers the last workspace moved in this transaction
        // (is_local: it ends with the transaction), so a statement touching
        // 1,000 rows of one workspace updates its version once.
        try await sql.raw("""
            CREATE FUNCTION crew_member_list_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
                changed uuid;
            BEGIN
                IF TG_TABLE_NAME = 'users' THEN
                    FOR changed IN SELECT workspace_id FROM memberships WHERE user_id = NEW.id ORDER BY workspace_id LOOP
                        PERFORM crew_member_list_bump(changed);
                    END LOOP;
                    RETURN NULL;
                END IF;
                IF TG_OP = 'DELETE' THEN changed := OLD.workspace_id; ELSE changed := NEW.workspace_id; END IF;
                PERFORM crew_member_list_bump(changed);
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE FUNCTION crew_member_list_bump(changed uuid) RETURNS void LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('crew.member_list_moved', true) IS NOT DISTINCT FROM changed::text THEN RETURN; END IF;
                PERFORM set_config('crew.member_list_moved', changed::text, true);
                INSERT INTO \(unsafeRaw: Self.table) (workspace_id, version) VALUES (changed, 1)
                ON CONFLICT (workspace_id) DO UPDATE SET version = \(unsafeRaw: Self.table).version + 1;
            END $$
            """).run()
        for (table, events) in Self.watched + [("users", "UPDATE OF name, email")] {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER \(unsafeRaw: table)_member_list AFTER \(unsafeRaw: events) ON \(unsafeRaw: table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crew_member_list_changed()
                """).run()
        }
    }

    private func prepareSQLite(_ sql: any SQLDatabase) async throws {
        func bump(_ workspace: String) -> String {
            """
            INSERT INTO \(Self.table) (workspace_id, version) VALUES (\(workspace), 1)
            ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1;
            """
        }
        for (table, events) in Self.watched {
            // SQLite names one event per trigger.
            for event in events.components(separatedBy: " OR ") {
                let row = event == "DELETE" ? "OLD" : "NEW"
                let name = "\(table)_member_list_\(event.prefix(6).lowercased())"
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: name) AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
                    BEGIN \(unsafeRaw: bump("\(row).workspace_id")) END
                    """).run()
            }
        }
        try await sql.raw("""
            CREATE TRIGGER users_member_list AFTER UPDATE OF name, email ON users
            BEGIN
                INSERT INTO \(unsafeRaw: Self.table) (workspace_id, version)
                SELECT workspace_id, 1 FROM memberships WHERE user_id = NEW.id AND true
                ON CONFLICT (workspace_id) DO UPDATE SET version = version + 1;
            END
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if sql.dialect.name == "postgresql" {
            for table in Self.watched.map(\.table) + ["users"] {
                try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_member_list ON \(unsafeRaw: table)").run()
            }
            try await sql.raw("DROP FUNCTION IF EXISTS crew_member_list_changed()").run()
            try await sql.raw("DROP FUNCTION IF EXISTS crew_member_list_bump(uuid)").run()
        } else {
            let triggers = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%member_list%'")
                .all().map { try $0.decode(column: "name", as: String.self) }
            for trigger in triggers {
                try await sql.raw("DROP TRIGGER \(ident: trigger)").run()
            }
        }
        try await database.schema(Self.table).delete()
    }
}
