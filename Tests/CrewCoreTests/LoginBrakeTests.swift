import CrewCore
import Foundation
import Testing

@Suite struct LoginBrakeTests {
    @Test func waitsGrowFromNothingToALockThatDoublesUpToAnHour() {
        let expected: [(Int, TimeInterval)] = [
            (0, 0), (1, 0), (2, 0), (3, 1), (4, 2), (5, 60), (6, 120), (7, 240), (8, 480), (9, 960), (10, 1_920), (11, 3_600),
            (12, 3_600), (1_000, 3_600), (Int.max / 2, 3_600),
        ]
        for (failures, wait) in expected {
            #expect(LoginBrake.wait(afterFailures: failures) == wait, "after \(failures)")
        }
        #expect(LoginBrake.locksFirst(5) && !LoginBrake.locksFirst(4) && !LoginBrake.locksFirst(6))
    }

    @Test func retryAfterRoundsUpAndIsNeverZero() {
        let now = Date(timeIntervalSince1970: 1_000)
        #expect(LoginBrake.retryAfter(until: now.addingTimeInterval(0.2), now: now) == 1)
        #expect(LoginBrake.retryAfter(until: now.addingTimeInterval(59.1), now: now) == 60)
        #expect(LoginBrake.retryAfter(until: now, now: now) == 1)
    }
}
