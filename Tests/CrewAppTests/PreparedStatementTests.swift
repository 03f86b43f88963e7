import CrewStore
import CrewTestSupport
import FluentKit
import FluentSQL
import Foundation
import Testing

/// Statements declared once and run prepared on PostgreSQL, plainly on SQLite:
/// both must bind the same values to the same placeholders.
@Suite struct PreparedStatementTests {
    /// Placeholders out of order, one used twice, and a NULL.
    struct Shuffled: PreparedStatement {
        static let sql = "SELECT $2 AS second, $1 AS first, $2 || '/' || $1 AS both, CAST($3 AS TEXT) AS empty, $4 + 1 AS next"
        let first: String
        let second: String
        let number: Int
        var values: [any PreparedValue] { [first, second, PreparedNull(), number] }
    }

    struct Echo: Decodable, Equatable, PreparedRow {
        let second: String
        let first: String
        let both: String
        let empty: String?
        let next: Int

        init(second: String, first: String, both: String, empty: String?, next: Int) {
            (self.second, self.first, self.both, self.empty, self.next) = (second, first, both, empty, next)
        }

        init(reading columns: inout ColumnReader) throws {
            (second, first, both, empty, next) = (
                try columns.next("second"), try columns.next("first"), try columns.next("both"), try columns.next("empty"), try columns.next("next")
            )
        }
    }

    @Test func valuesAreBoundByTheirNumberWhereverThePlaceholderStands() async throws {
        try await TestApp.run { app in
            for (first, second, number) in [("a", "b", 1), ("$1 '", "dollar $2", 41), ("é", "", -3)] {
                let row = try #require(try await app.db.first(Shuffled(first: first, second: second, number: number)))
                let expected = Echo(second: second, first: first, both: "\(second)/\(first)", empty: nil, next: number + 1)
                #expect(try row.decode(model: Echo.self) == expected)
                // The same row read column by column.
                #expect(try await app.db.first(Shuffled(first: first, second: second, number: number), as: Echo.self) == expected)
            }
        }
    }

    struct UserByEmail: PreparedStatement {
        static let sql = "SELECT \(UserModel.columns()) FROM \(UserModel.schema) WHERE email = $1"
        let email: String
        var values: [any PreparedValue] { [email] }
    }

    /// The first columns of `UserModel.columns()`: id, email, name, password hash, created at.
    struct UserColumns: PreparedRow {
        let id: RowID
        let email: String
        let createdAt: Date

        init(reading columns: inout ColumnReader) throws {
            id = try columns.next("id")
            email = try columns.next("email")
            _ = try columns.next("name", as: String.self)
            _ = try columns.next("password_hash", as: String.self)
            createdAt = try columns.next("created_at")
        }
    }

    /// The same statement, planned on every run instead.
    struct UserByEmailPlannedEachTime: PreparedStatement {
        static let plannedEachTime = true
        static let sql = UserByEmail.sql
        let email: String
        var values: [any PreparedValue] { [email] }
    }

    @Test func aStatementIsPreparedOncePerConnectionAndReadsWholeModels() async throws {
        try await TestApp.run { app in
            let user = UserModel(email: "prepared@example.com", name: "Prepared", passwordHash: "x", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
            try await user.create(on: app.db)
            let prepared = try await app.db.transaction { tx in
                for _ in 0..<7 {
                    let found = try #require(try await tx.first(UserByEmail(email: "prepared@example.com"))?.decode(fluentModel: UserModel.self))
                    #expect(found.id == user.id && found.name == "Prepared" && found.createdAt == user.createdAt)
                    for read in [
                        try await tx.first(UserByEmail(email: "prepared@example.com"), as: UserColumns.self),
                        try await tx.first(UserByEmailPlannedEachTime(email: "prepared@example.com"), as: UserColumns.self),
                    ] {
                        #expect(read?.id.uuid == user.id && read?.email == "prepared@example.com" && read?.createdAt == user.createdAt)
                    }
                    #expect(try await tx.first(UserByEmail(email: "nobody@example.com")) == nil)
                }
                guard TestDatabase.isPostgres else { return 1 }
                // The connection's own list of prepared statements.
                let named = try await (tx as! any SQLDatabase).raw(
                    "SELECT name FROM pg_prepared_statements WHERE name IN (\(bind: UserByEmail.preparedName), \(bind: UserByEmailPlannedEachTime.preparedName))"
                ).all().map { try $0.decode(column: "name", as: String.self) }
                return named == [UserByEmail.preparedName] ? 1 : 0
            }
            // Prepared once; the one planned each time never.
            #expect(prepared == 1)
        }
    }

    struct LinkByWorkspace: PreparedStatement {
        static let sql = "SELECT \(InviteLinkModel.columns()) FROM \(InviteLinkModel.schema) WHERE workspace_id = $1"
        let workspaceID: UUID
        var values: [any PreparedValue] { [workspaceID] }
    }

    /// A model read column by column must be the model Fluent decodes, with
    /// optional columns empty and set.
    @Test func aLinkReadColumnByColumnIsTheLinkFluentReads() async throws {
        try await TestApp.run { app in
            for (until, maxUses) in [(nil, nil), (Date(timeIntervalSinceReferenceDate: 812_345_678.25), 7)] as [(Date?, Int?)] {
                let workspace = WorkspaceModel(name: "Links", plan: "free", createdAt: Date(timeIntervalSinceReferenceDate: 800_000_000.5))
                try await workspace.create(on: app.db)
                let link = InviteLinkModel()
                link.workspaceID = try workspace.requireID()
                (link.tokenHash, link.tokenSealed, link.statusText, link.statusUntil) = ("hash-\(maxUses ?? 0)", "sealed", "active", until)
                (link.permissionsText, link.allowedPlatformsText, link.accountIDsText) = ("publish_posts", "sandbox", "")
                (link.maxUses, link.uses, link.requireApproval) = (maxUses, 3, maxUses != nil)
                (link.createdAt, link.updatedAt) = (workspace.createdAt, Date(timeIntervalSinceReferenceDate: 810_000_000.125))
                try await link.create(on: app.db)

                let statement = LinkByWorkspace(workspaceID: try workspace.requireID())
                let byFluent = try #require(try await app.db.first(statement)?.decode(fluentModel: InviteLinkModel.self))
                let byColumns = try #require(try await app.db.first(statement, as: InviteLinkModel.self))
                for model in [byFluent, byColumns] {
                    #expect(model.id == link.id && model.workspaceID == link.workspaceID && model.tokenHash == link.tokenHash)
                    #expect(model.tokenSealed == "sealed" && model.statusText == "active" && model.statusUntil == until)
                    #expect(model.permissionsText == "publish_posts" && model.allowedPlatformsText == "sandbox" && model.accountIDsText == "")
                    #expect(model.maxUses == maxUses && model.uses == 3 && model.requireApproval == (maxUses != nil))
                    #expect(model.createdAt == link.createdAt && model.updatedAt == link.updatedAt)
                }
            }
        }
    }

    @Test func longTypeNamesArePreparedUnderShortDistinctNames() {
        enum AStatementWhoseTypeNameIsMuchLongerThanTheSixtyThreeBytesPostgreSQLKeepsOfAName {
            struct One: PreparedStatement {
                static let sql = "SELECT 1"
                var values: [any PreparedValue] { [] }
            }
            struct Two: PreparedStatement {
                static let sql = "SELECT 2"
                var values: [any PreparedValue] { [] }
            }
        }
        typealias Long = AStatementWhoseTypeNameIsMuchLongerThanTheSixtyThreeBytesPostgreSQLKeepsOfAName
        #expect(Long.One.preparedName.utf8.count <= 63)
        #expect(Long.One.preparedName != Long.Two.preparedName)
        #expect(UserByEmail.preparedName == String(reflecting: UserByEmail.self))
    }
}
