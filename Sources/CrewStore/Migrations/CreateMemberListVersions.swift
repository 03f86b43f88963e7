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
/// On PostgreSQL, insertions (joins, which share the workspace lock with
/// other joins) move the version at the commit, once per transaction and
/// workspace, so a join holds the version row only while it commits, as it
/// holds the link row it counts a use on. Updates and deletions (made under
/// the workspace lock alone) move it once per statement: a bulk removal of
/// 1,000 members and their grants is two moves, not 2,000. On SQLite, where
/// writers take turns anyway, plain row triggers do.
struct CreateMemberListVersions: AsyncMigration {
    var name: String { "0009_create_member_list_versions" }

    static let table = "member_list_versions"

    /// The tables whose rows name their workspace, and the updates the list
    /// shows (on SQLite; PostgreSQL's statement triggers take no column list).
    private static let watched: [(table: String, updates: String)] = [
        ("memberships", "role, permissions, allowed_platforms, counts_as_seat, joined_via, joined_at, user_id"),
        ("account_grants", "membership_id, account_id"),
    ]

    /// Moves the versions of the workspaces a query selects (`workspace_id`).
    private static func move(_ workspaces: String) -> String {
        """
        INSERT INTO \(table) (workspace_id, version) \(workspaces)
        ON CONFLICT (workspace_id) DO UPDATE SET version = \(table).version + 1;
        """
    }

    func prepare(on database: any Database) async throws {
        try await database.schema(Self.table)
            .field("workspace_id", .uuid, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        if database.isPostgres {
            try await preparePostgres(sql)
        } else {
            try await prepareSQLite(sql)
        }
    }

    private func preparePostgres(_ sql: any SQLDatabase) async throws {
        // The setting remembers the last workspace moved in this transaction
        // (is_local: it ends with the transaction).
        try await sql.raw("""
            CREATE FUNCTION crew_member_list_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF current_setting('crew.member_list_moved', true) IS DISTINCT FROM NEW.workspace_id::text THEN
                    PERFORM set_config('crew.member_list_moved', NEW.workspace_id::text, true);
                    \(unsafeRaw: Self.move("VALUES (NEW.workspace_id, 1)"))
                END IF;
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE FUNCTION crew_member_list_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                \(unsafeRaw: Self.move("SELECT DISTINCT workspace_id, 1 FROM changed"))
                RETURN NULL;
            END $$
            """).run()
        try await sql.raw("""
            CREATE FUNCTION crew_member_list_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF OLD.name IS DISTINCT FROM NEW.name OR OLD.email IS DISTINCT FROM NEW.email THEN
                    \(unsafeRaw: Self.move("SELECT workspace_id, 1 FROM memberships WHERE user_id = NEW.id ORDER BY workspace_id"))
                END IF;
                RETURN NULL;
            END $$
            """).run()
        for (table, _) in Self.watched {
            try await sql.raw("""
                CREATE CONSTRAINT TRIGGER \(unsafeRaw: table)_member_list_insert AFTER INSERT ON \(unsafeRaw: table)
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crew_member_list_inserted()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: table)_member_list_update AFTER UPDATE ON \(unsafeRaw: table)
                REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crew_member_list_rows_changed()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: table)_member_list_delete AFTER DELETE ON \(unsafeRaw: table)
                REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION crew_member_list_rows_changed()
                """).run()
        }
        try await sql.raw("""
            CREATE CONSTRAINT TRIGGER users_member_list AFTER UPDATE OF name, email ON users
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION crew_member_list_renamed()
            """).run()
    }

    private func prepareSQLite(_ sql: any SQLDatabase) async throws {
        for (table, updates) in Self.watched {
            for (event, row) in [("INSERT", "NEW"), ("DELETE", "OLD"), ("UPDATE OF \(updates)", "NEW")] {
                try await Self.createSQLiteTrigger(on: table, after: event, row: row, in: sql)
            }
        }
        // `WHERE` before `ON CONFLICT`: SQLite would read the ON as a join's.
        try await sql.raw("""
            CREATE TRIGGER users_member_list AFTER UPDATE OF name, email ON users
            WHEN OLD.name IS NOT NEW.name OR OLD.email IS NOT NEW.email
            BEGIN \(unsafeRaw: Self.move("SELECT workspace_id, 1 FROM memberships WHERE user_id = NEW.id")) END
            """).run()
    }

    /// The SQLite trigger that moves the version after `event` on `table`
    /// (named by the event's first word; a later migration that watches more
    /// columns drops it and creates it again).
    static func createSQLiteTrigger(on table: String, after event: String, row: String, in sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TRIGGER \(unsafeRaw: table)_member_list_\(unsafeRaw: event.prefix(6).lowercased()) AFTER \(unsafeRaw: event) ON \(unsafeRaw: table)
            BEGIN \(unsafeRaw: move("VALUES (\(row).workspace_id, 1)")) END
            """).run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        if database.isPostgres {
            for table in Self.watched.map(\.table) {
                for event in ["insert", "update", "delete"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_member_list_\(unsafeRaw: event) ON \(unsafeRaw: table)").run()
                }
            }
            try await sql.raw("DROP TRIGGER IF EXISTS users_member_list ON users").run()
            for function in ["crew_member_list_inserted", "crew_member_list_rows_changed", "crew_member_list_renamed"] {
                try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: function)()").run()
            }
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
