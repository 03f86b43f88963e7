import CrewCore
import Hummingbird
import Logging
import Synchronization

/// Answers 503 when a request is not done within `deadline`. The work goes on
/// in the background and its answer is dropped: a database that stalls (paused,
/// network gone) holds the connections it has, but no client waits longer than
/// the deadline. A write caught this way may still commit when the database
/// wakes up, as with any timeout: the 503 says the outcome is unknown.
public struct DeadlineResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context: RequestContext {
    public typealias Context = Inner.Context
    let inner: Inner
    let deadline: Duration

    public init(_ inner: Inner, deadline: Duration) {
        self.inner = inner
        self.deadline = deadline
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        let settled = Settled()
        let (inner, deadline) = (inner, deadline)
        let work = Task { try await inner.respond(to: request, context: context) }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let timer = Task {
                    // Cancelled when the work answers first: a timer left sleeping for the
                    // whole deadline kept every request's context alive that long
                    // (hundreds of MB at a few thousand requests a second).
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    if settled.claim() {
                        context.logger.warning("request exceeded its deadline", metadata: ["deadline": "\(deadline)"])
                        continuation.resume(returning: HTTPProblem(DomainError.unavailable("The request took too long; try again shortly.")).response())
                    }
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    if settled.claim() { continuation.resume(with: result) }
                }
            }
        } onCancel: {
            work.cancel()
        }
    }

    /// The first of the work and the deadline to finish answers.
    private final class Settled: Sendable {
        private let done = Atomic<Bool>(false)

        func claim() -> Bool {
            done.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        }
    }
}
