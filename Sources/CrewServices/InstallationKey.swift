import CrewCore
import CrewStore
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
        try await db.transaction { tx in
            // Two processes starting at once: the second finds the first's row.
            if try await KeyCheckModel.query(on: tx).count() == 0 {
                try await KeyCheckModel(sealed: env.sealer.seal(KeyCheckModel.plaintext), createdAt: env.clock.now).create(on: tx)
            }
        }
        try await verify(env, on: db)
    }
}
