import CrewCore
import CrewStore
import CrewTestSupport
import Foundation
import Testing

/// Locking transactions of one process: on SQLite they run one after another
/// and those that queued up commit together, each in its own savepoint; on
/// PostgreSQL they are plain transactions. Either way every writer must get
/// exactly its own answer and keep exactly its own writes.
@Suite struct WriterQueueTests {
    struct Refused: Error, Equatable {
        let writer: Int
    }

    @Test func queuedWritersKeepTheirOwnWritesAndAnswers() async throws {
        try await TestApp.run { app in
            let db = app.db
            let writers = 60
            // The first writer holds its turn until the others have queued, so
            // they share transactions; every third one fails after writing.
            let answers = await withTaskGroup(of: (Int, Result<Int, Refused>).self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        if writer > 0 { try? await Task.sleep(for: .milliseconds(20)) }
                        do {
                            let answer = try await db.writeTransaction { tx in
                                if writer == 0 { try await Task.sleep(for: .milliseconds(300)) }
                                try await UserModel(
                                    email: "writer-\(writer)@example.com", name: "Writer \(writer)", passwordHash: "x", createdAt: Date()
                                ).create(on: tx)
                                if writer % 3 == 1 { throw Refused(writer: writer) }
                                return writer * 10
                            }
                            return (writer, .success(answer))
                        } catch let refused as Refused {
                            return (writer, .failure(refused))
                        } catch {
                            Issue.record("writer \(writer): \(error)")
                            return (writer, .failure(Refused(writer: -1)))
                        }
                    }
                }
                return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            let saved = Set(try await UserModel.query(on: db).all().map(\.email))
            for writer in 0..<writers {
                let email = "writer-\(writer)@example.com"
                if writer % 3 == 1 {
                    #expect(answers[writer] == .failure(Refused(writer: writer)))
                    #expect(!saved.contains(email), "writer \(writer) failed; its row must be rolled back")
                } else {
                    #expect(answers[writer] == .success(writer * 10))
                    #expect(saved.contains(email), "writer \(writer) succeeded; its row must be saved")
                }
            }
        }
    }

    @Test func aWriterThatBreaksTheTransactionFailsOnlyItself() async throws {
        try await TestApp.run { app in
            let db = app.db
            // The same email twice: the second insert violates the unique index
            // inside the shared transaction. The others start only once the
            // first has written (a sleep could let them in first on a loaded machine).
            let firstWrote = Latch()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await db.writeTransaction { tx in
                        try await UserModel(email: "first@example.com", name: "First", passwordHash: "x", createdAt: Date()).create(on: tx)
                        firstWrote.open()
                        // Holds the transaction (SQLite: the turn; PostgreSQL: the
                        // index entry) while the others arrive.
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                group.addTask {
                    try await firstWrote.wait()
                    await #expect(throws: (any Error).self) {
                        try await db.writeTransaction { tx in
                            try await UserModel(email: "first@example.com", name: "Again", passwordHash: "x", createdAt: Date()).create(on: tx)
                        }
                    }
                }
                group.addTask {
                    try await firstWrote.wait()
                    _ = try await db.writeTransaction { tx in
                        try await UserModel(email: "third@example.com", name: "Third", passwordHash: "x", createdAt: Date()).create(on: tx)
                    }
                }
                try await group.waitForAll()
            }
            let names = try await UserModel.query(on: db).all().map(\.name).sorted()
            #expect(names == ["First", "Third"])
        }
    }
}
