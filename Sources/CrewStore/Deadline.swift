import Synchronization

/// The first of some work and a deadline answers. The work runs in its own task
/// and is not waited for past the deadline: a database that hangs (paused,
/// network gone) keeps what it holds, but the caller is answered in time. The
/// timer is cancelled when the work answers first, so no sleeper outlives it
/// (one left sleeping per request held each request's context for the whole
/// deadline: hundreds of MB under load). Cancelling the caller cancels the work.
public enum Deadline {
    public static func race<T: Sendable>(
        _ deadline: Duration, work: @escaping @Sendable () async throws -> T, late: @escaping @Sendable () -> Result<T, any Error>
    ) async throws -> T {
        let settled = Settled()
        let work = Task { try await work() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                @Sendable func finish(_ result: Result<T, any Error>) {
                    if settled.claim() {
                        continuation.resume(with: result)
                    }
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    finish(late())
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    finish(result)
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// Which of the two answered first.
    private final class Settled: Sendable {
        private let done = Atomic<Bool>(false)

        func claim() -> Bool {
            done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        }
    }
}
