import CrewCore
import CrewStore
import FluentSQL
import Foundation

/// Proves this process seals with the same key as the database: the first
/// process stores a sealed known text; later ones must be able to open it.
public enum InstallationKey {
    public static func verify(_ env: CrewEnvironment, on db: any Database) async throws {
        if let row = try await KeyCheckModel.query(on: db).sort(\.$createdAt).first() {
            guard env.sealer.open(row.sealed) == KeyCheckModel.plaintext else {
                throw DatabaseRefusal(
                    setting: "CREW_SECRET_KEY", message: "does not match the key this database was sealed with; every process must use the same key")
            }
            return
        }
        // One statement, so SQLite never has to upgrade a read to a write under
        // a concurrent writer; processes racing here each insert at most once,
        // and the oldest row decides.
        let sql = db as! any SQLDatabase
        try await sql.raw(
            """
            INSERT INTO \(ident: KeyCheckModel.schema) (id, sealed, created_at)
            SELECT \(bind: UUID()), \(bind: env.sealer.seal(KeyCheckModel.plaintext)), \(bind: env.clock.now)
            WHERE NOT EXISTS (SELECT 1 FROM \(ident: KeyCheckModel.schema))
            """
        ).run()
        try await verify(env, on: db)
    }
}
