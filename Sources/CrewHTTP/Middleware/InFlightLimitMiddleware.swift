import CrewCore
import Hummingbird
import Synchronization

/// Answers 503 (with `Retry-After`) at once when `limit` requests are already
/// being handled, so a burst beyond capacity is shed instead of queueing
/// until everything times out.
public struct InFlightLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    private let counter = Counter()

    public init(limit: Int) {
        self.limit = limit
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard counter.enter(limit: limit) else {
            return HTTPProblem(DomainError.unavailable("Crew is handling as many requests as it can; try again in a moment.")).response()
        }
        defer { counter.leave() }
        return try await next(request, context)
    }

    private final class Counter: Sendable {
        private let value = Atomic<Int>(0)

        func enter(limit: Int) -> Bool {
            if value.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue > limit {
                value.wrappingSubtract(1, ordering: .acquiringAndReleasing)
                return false
            }
            return true
        }

        func leave() {
            value.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        }
    }
}
