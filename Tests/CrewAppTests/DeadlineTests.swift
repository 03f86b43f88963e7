import CrewStore
import Foundation
import Synchronization
import Testing

/// `Deadline.race` on its own: the work's answer when it is first, the late
/// answer when the deadline is, and cancellation passed on to the work.
@Suite struct DeadlineTests {
    struct Late: Error {}

    @Test func workThatAnswersFirstIsTheAnswerAndTheTimerNeverFires() async throws {
        let lateCalls = Atomic<Int>(0)
        for round in 0..<200 {
            let answer = try await Deadline.race(.milliseconds(40), work: { round }) {
                lateCalls.add(1, ordering: .relaxed)
                return .failure(Late())
            }
            #expect(answer == round)
        }
        // Past every deadline: none of the cancelled timers fired.
        try await Task.sleep(for: .milliseconds(120))
        let fired = lateCalls.load(ordering: .relaxed)
        #expect(fired == 0)
    }

    @Test func theDeadlineAnswersForSlowWork() async throws {
        let start = ContinuousClock.now
        let answer = try await Deadline.race(.milliseconds(50), work: { () async throws -> String in
            try? await Task.sleep(for: .seconds(5))
            return "too late"
        }) { .success("deadline") }
        #expect(answer == "deadline")
        #expect(ContinuousClock.now - start < .seconds(2))
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
