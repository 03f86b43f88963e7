import Hummingbird
import Prometheus

/// Counts requests and records their latency by route pattern, method and
/// status, and how many requests are being handled right now.
public struct PrometheusMiddleware<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry
    static var buckets: [Duration] {
        [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
         .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
         .seconds(1), .seconds(2.5), .seconds(5)]
    }

    /// Has no labels, so it is looked up once, not in the registry per request.
    let inFlight: Gauge

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        self.inFlight = registry.makeGauge(
            descriptor: .init(namespace: "crew", metricName: "http_requests_in_flight", helpText: "HTTP requests being handled"))
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        inFlight.increment()
        defer { inFlight.decrement() }
        let response = try await next(request, context)
        let labels = [
            ("route", context.endpointPath ?? "unmatched"),
            ("method", request.method.rawValue),
            ("status", String(response.status.code)),
        ]
        registry.makeCounter(
            descriptor: .init(namespace: "crew", metricName: "http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(namespace: "crew", metricName: "http_request_duration", unitName: "seconds", helpText: "HTTP request latency"),
            labels: labels, buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }
}
