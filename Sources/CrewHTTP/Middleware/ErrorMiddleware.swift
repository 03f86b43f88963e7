import CrewCore
import Hummingbird
import Logging

/// Turns every thrown error into a response, in one place: problem+json for the
/// API and anything that asks for JSON, an HTML page (from `htmlPage`) for browsers.
public struct ErrorMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext
    /// Renders an HTML error page for browser requests; `nil` falls back to problem+json.
    public typealias HTMLPageRenderer = @Sendable (HTTPProblem, Request, AppRequestContext) -> Response?

    let htmlPage: HTMLPageRenderer?

    public init(htmlPage: HTMLPageRenderer? = nil) {
        self.htmlPage = htmlPage
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = HTTPProblem.from(error)
            if problem.status >= 500 {
                // The error itself goes to the log, never to the client.
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            if let htmlPage, Self.wantsHTML(request), let page = htmlPage(problem, request, context) {
                return page
            }
            return problem.response()
        }
    }

    /// Browser navigations outside the API get HTML pages.
    static func wantsHTML(_ request: Request) -> Bool {
        let path = request.uri.path
        if path.hasPrefix("/api/") || path == "/health" || path == "/metrics" { return false }
        return request.headers[.accept]?.contains("text/html") ?? false
    }
}
