import CrewStore
import CrewTestSupport
import FluentKit
import FluentSQL
import Foundation
import Testing

/// Hot read-only statements on SQLite run on the calling thread with a
/// connection of its own (`SQLiteInlineReader`); they must read exactly what
/// the pool reads, see every committed write at once, and leave SQLite as the
/// pool would (no read transaction left open).
@Suite(.enabled(if: !TestDatabase.isPostgres, "SQLite only: PostgreSQL reads through its pool"))
struct SQLiteInlineReaderTests {
    /// Every kind of value both ways, placeholders out of order and repeated.
    struct EveryKind: PreparedStatement {
        static let readsInline = true
        static let sql = """
            SELECT $3 AS id, $1 AS text, $2 AS number, $4 AS flag, $5 AS time, $6 AS ratio, $7 AS missing,
            $1 || '|' || $1 AS twice, (SELECT COUNT(*) FROM json_each($8)) AS ids,
            (SELECT value FROM json_each($8) LIMIT 1) AS first_id
            """
        let text: String
        let number: Int
        let id: UUID
        let flag: Bool
        let time: Date
        let ratio: Double
        let ids: IDList
        var values: [any PreparedValue] { [text, number, id, flag, time, ratio, PreparedNull(), ids] }
    }

    /// The same statement read through the pool.
    struct EveryKindThroughPool: PreparedStatement {
        static let sql = EveryKind.sql
        let kind: EveryKind
        var values: [any PreparedValue] { kind.values }
    }

    struct EveryKindRow: PreparedRow, Equatable {
        let id: RowID
        let text: String
        let number: Int
        let flag: Bool
        let time: Date
        let ratio: Double
        let missing: String?
        let twice: String
        let ids: Int
        let firstID: String?

        init(reading columns: inout ColumnReader) throws {
            id = try columns.next("id")
            text = try columns.next("text")
            number = try columns.next("number")
            flag = try columns.next("flag")
            time = try columns.next("time")
            ratio = try columns.next("ratio")
            missing = try columns.next("missing")
            twice = try columns.next("twice")
            ids = try columns.next("ids")
            firstID = try columns.next("first_id")
        }
    }

    @Test func readsEveryKindOfValueAsThePoolReadsIt() async throws {
        try await TestApp.run { app in
            let reader = try #require(app.services.database.inlineReader)
            let before = reader.statistics
            let kinds = [
                EveryKind(
                    text: "é $1 '\"", number: -7, id: UUID(), flag: true, time: Date(timeIntervalSince1970: 1_764_000_000.123456),
                    ratio: 0.1, ids: IDList([UUID(), UUID()])),
                EveryKind(text: "", number: Int.max, id: UUID(), flag: false, time: Date(timeIntervalSince1970: -1.5), ratio: -2e300, ids: IDList([])),
            ]
            for kind in kinds {
                let inline = try #require(try await app.db.first(kind, as: EveryKindRow.self))
                let pooled = try #require(try await app.db.first(EveryKindThroughPool(kind: kind), as: EveryKindRow.self))
                #expect(inline == pooled)
                #expect(inline.id.uuid == kind.id && inline.text == kind.text && inline.number == kind.number && inline.flag == kind.flag)
                #expect(inline.twice == "\(kind.text)|\(kind.text)" && inline.missing == nil && inline.ids == kind.ids.ids.count)
                #expect(inline.firstID == kind.ids.ids.first?.uuidString)
            }
            let after = reader.statistics
            #expect(after.inline - before.inline == kinds.count)
            #expect(after.throughPool == before.throughPool)
        }
    }

    struct SessionByHash: PreparedStatement {
        static let readsInline = true
        static let sql = "SELECT s.expires_at FROM \(SessionModel.schema) s WHERE s.token_hash = $1"
        let hash: String
        var values: [any PreparedValue] { [hash] }
    }

    struct ExpiresAt: PreparedRow {
        let expiresAt: Date
        init(reading columns: inout ColumnReader) throws { expiresAt = try columns.next("expires_at") }
    }

    /// Each read is its own snapshot, ended before the statement returns: a
    /// write committed through the pool is read at once, and a checkpoint
    /// after the reads finds no reader holding the log back.
    @Test func seesCommittedWritesAtOnceAndHoldsNoSnapshot() async throws {
        try await TestApp.run { app in
            let owner = try #require(UUID(uuidString: try await app.signup().id))
            let db = app.db
            let hash = String(repeating: "f", count: 64)
            #expect(try await db.first(SessionByHash(hash: hash), as: ExpiresAt.self) == nil)
            for round in 1...20 {
                let expiry = Date(timeIntervalSince1970: 1_800_000_000 + Double(round))
                if round == 1 {
                    try await SessionModel(tokenHash: hash, userID: owner, createdAt: expiry, expiresAt: expiry).create(on: db)
                } else {
                    try await SessionModel.query(on: db).filter(\.$tokenHash == hash).set(\.$expiresAt, to: expiry).update()
                }
                #expect(try await db.first(SessionByHash(hash: hash), as: ExpiresAt.self)?.expiresAt == expiry)
            }
            let checkpoint = try await (db as! any SQLDatabase).raw("PRAGMA wal_checkpoint(TRUNCATE)").first()
            #expect(try checkpoint?.decode(column: "busy", as: Int.self) == 0)
            #expect(app.services.database.inlineReader?.statistics.reprepared == 0)
        }
    }

    /// Statements SQLite cannot run here (one that writes, one that fails to
    /// prepare) go through the pool: the write is made, the error is the pool's.
    struct WritesInline: PreparedStatement {
        static let readsInline = true
        static let sql = "UPDATE \(UserModel.schema) SET name = $1 WHERE id = $2 RETURNING name"
        let name: String
        let id: UUID
        var values: [any PreparedValue] { [name, id] }
    }

    struct NameRow: PreparedRow {
        let name: String
        init(reading columns: inout ColumnReader) throws { name = try columns.next("name") }
    }

    struct NoSuchTable: PreparedStatement {
        static let readsInline = true
        static let sql = "SELECT name FROM no_such_table WHERE id = $1"
        let id: UUID
        var values: [any PreparedValue] { [id] }
    }

    @Test func whatCannotRunHereGoesThroughThePool() async throws {
        try await TestApp.run { app in
            let owner = try #require(UUID(uuidString: try await app.signup().id))
            let reader = try #require(app.services.database.inlineReader)
            let before = reader.statistics
            let written = try await app.db.first(WritesInline(name: "Renamed Owner", id: owner), as: NameRow.self)
            #expect(written?.name == "Renamed Owner")
            #expect(try await UserModel.find(owner, on: app.db)?.name == "Renamed Owner")
            let error = await #expect(throws: (any Error).self) { try await app.db.first(NoSuchTable(id: UUID()), as: NameRow.self) }
            #expect(String(describing: error).contains("no such table"), "SQLite's own error, through the pool")
            #expect(reader.statistics.throughPool - before.throughPool == 2)
        }
    }

    /// A column read out of the statement's order is refused, as reading by name would.
    struct Swapped: PreparedRow {
        init(reading columns: inout ColumnReader) throws {
            _ = try columns.next("text", as: String.self)
        }
    }

    @Test func aColumnReadOutOfOrderIsAnError() async throws {
        try await TestApp.run { app in
            let kind = EveryKind(text: "x", number: 1, id: UUID(), flag: true, time: Date(), ratio: 1, ids: IDList([]))
            await #expect(throws: (any Error).self) { try await app.db.first(kind, as: Swapped.self) }
        }
    }

    /// Many readers at once on many threads: each reads its own values, at
    /// most one connection per thread is opened, and closing the database
    /// closes them all.
    @Test func concurrentReadersOnManyThreads() async throws {
        let reader = try await TestApp.run { app in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<400 {
                    group.addTask {
                        let kind = EveryKind(
                            text: "reader \(index)", number: index, id: UUID(), flag: index % 2 == 0, time: Date(), ratio: Double(index),
                            ids: IDList([]))
                        let row = try await app.db.first(kind, as: EveryKindRow.self)
                        #expect(row?.number == index && row?.text == "reader \(index)")
                    }
                }
                try await group.waitForAll()
            }
            let reader = try #require(app.services.database.inlineReader)
            #expect(reader.statistics.connections >= 1)
            #expect(reader.statistics.connections <= SQLiteInlineReader.connectionLimit)
            #expect(reader.statistics.inline >= 400)
            return reader
        }
        #expect(reader.statistics.connections == 0)
    }
}
