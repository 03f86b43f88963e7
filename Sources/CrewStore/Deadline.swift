import NIOCore
import NIOPosix
import Synchronization

/// The first of some work and a deadline answers. The work runs in its own task
/// and is not waited for past the deadline: a database that hangs (paused,
/// network gone) keeps what it holds, but the caller is answered in time.
/// Cancelling the caller cancels the work.
///
/// The deadline is a timer on the event loop, cancelled (and dropped from the
/// loop's timers) when the work answers first. A sleeping task would not do:
/// with NIO's event loops running Swift concurrency, a cancelled `Task.sleep`
/// leaves its wake-up scheduled, holding the task, until the deadline passes —
/// at 6,000 requests/s and a 30 s deadline that was 130 MB and 180,000 timers
/// (bench/NOTES.md §20). One task per race, not three.
public enum Deadline {
    public static func race<T: Sendable>(
        _ deadline: Duration, work: @escaping @Sendable () async throws -> T, late: @escaping @Sendable () -> Result<T, any Error>
    ) async throws -> T {
        let settled = Settled()
        let running = Mutex<(task: Task<Void, Never>?, cancelled: Bool)>((nil, false))
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                @Sendable func finish(_ result: Result<T, any Error>) {
                    if settled.claim() {
                        continuation.resume(with: result)
                    }
                }
                let loop = MultiThreadedEventLoopGroup.currentEventLoop ?? MultiThreadedEventLoopGroup.singleton.any()
                let timer = loop.scheduleTask(in: .nanoseconds(Self.nanoseconds(deadline))) { finish(late()) }
                let task = Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await work()) } catch { result = .failure(error) }
                    timer.cancel()
                    finish(result)
                }
                let cancelledAlready = running.withLock { state in
                    state.task = task
                    return state.cancelled
                }
                if cancelledAlready { task.cancel() }
            }
        } onCancel: {
            running.withLock { state in
                state.cancelled = true
                return state.task
            }?.cancel()
        }
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Which of the two answered first.
    private final class Settled: Sendable {
        private let done = Atomic<Bool>(false)

        func claim() -> Bool {
            done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        }
    }
}
