import HTTPTypes
import Hummingbird
import Logging

/// Returns the request id as `X-Request-Id` and writes one structured log line
/// per request. The line names the route pattern, never the raw path or query,
/// because paths such as `/join/<token>` carry secrets.
public struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    public static var requestIDHeader: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response = try await next(request, context)
        response.headers[Self.requestIDHeader] = context.id
        let elapsed = ContinuousClock.now - start
        context.logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue),
                "route": .string(context.endpointPath ?? "unmatched"),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .stringConvertible(Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000),
            ])
        return response
    }
}
