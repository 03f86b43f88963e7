import CrewCore
import Hummingbird
import Logging
import CrewStore

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
        let (inner, deadline) = (inner, deadline)
        return try await Deadline.race(deadline, work: { try await inner.respond(to: request, context: context) }) {
            context.logger.warning("request exceeded its deadline", metadata: ["deadline": "\(deadline)"])
            return .success(HTTPProblem(DomainError.unavailable("The request took too long; try again shortly.")).response())
        }
    }
}
