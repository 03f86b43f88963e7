import CrewStore
import Foundation
import Synchronization
import Testing

/// `Deadline.race` on its own: the work's answer when it is first, the late
/// answer when the deadline is, and cancellation passed on to the work.
@Suite struct DeadlineTests {
    struct Late: Error {}

    /// Races the work wins leave no timer behind: none fires after its work
    /// answered. (On a machine loaded by the other suites a deadline can pass
    /// before the work even starts; that is the deadline doing its job, and
    /// such rounds are told apart by when their work finished.)
    @Test func workThatAnswersFirstIsTheAnswerAndTheTimerNeverFires() async throws {
        let finished = Mutex<[Int: ContinuousClock.Instant]>([:])
        let firedAfterTheWork = Mutex<[Int]>([])
        var won = 0
        for round in 0..<200 {
            let answer = try await Deadline.race(.seconds(1), work: { () async throws -> Int in
                finished.withLock { $0[round] = .now }
                return round
            }) {
                finished.withLock { done in
                    if let at = done[round], ContinuousClock.now - at > .milliseconds(100) {
                        firedAfterTheWork.withLock { $0.append(round) }
                    }
                }
                return .success(-1)
            }
            if answer == round { won += 1 } else { #expect(answer == -1) }
        }
        #expect(won > 100)
        // Past every deadline: no cancelled timer fired.
        try await Task.sleep(for: .milliseconds(1300))
        #expect(firedAfterTheWork.withLock { $0 }.isEmpty)
    }

    @Test func theDeadlineAnswersForSlowWork() async throws {
        let start = ContinuousClock.now
        let answer = try await Deadline.race(.milliseconds(50), work: { () async throws -> String in
            try? await Task.sleep(for: .seconds(60))
            return "too late"
        }) { .success("deadline") }
        #expect(answer == "deadline")
        // Long before the work would answer (the margin is for a machine busy
        // with the other suites, whose event loops the timer waits for).
        #expect(ContinuousClock.now - start < .seconds(30))
    }

    @Test func cancellingTheCallerCancelsTheWork() async throws {
        let workSawCancellation = Atomic<Bool>(false)
        let caller = Task {
            try await Deadline.race(.seconds(30), work: { () async throws -> Int in
                do { try await Task.sleep(for: .seconds(30)) } catch { workSawCancellation.store(true, ordering: .relaxed) }
                return 1
            }) { .failure(Late()) }
        }
        try await Task.sleep(for: .milliseconds(50))
        caller.cancel()
        #expect(try await caller.value == 1)
        let sawCancellation = workSawCancellation.load(ordering: .relaxed)
        #expect(sawCancellation)
    }
}
