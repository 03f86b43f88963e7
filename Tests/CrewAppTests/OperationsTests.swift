import CrewCore
import CrewHTTP
import CrewTestSupport
import Foundation
import Testing

@Suite struct OperationsTests {
    @Test func healthChecksTheDatabase() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(.get, "/health")
            #expect(response.status == .ok)
            #expect(response.object["database"] as? String == "ok")
        }
    }

    @Test func everyAnswerCarriesARequestID() async throws {
        try await TestApp.run { app in
            let a = try await app.client.send(.get, "/health")
            let b = try await app.client.send(.get, "/api/v1/me")
            let idA = try #require(a.headers[RequestLogMiddleware<AppRequestContext>.requestIDHeader])
            let idB = try #require(b.headers[RequestLogMiddleware<AppRequestContext>.requestIDHeader])
            #expect(idA != idB)
            #expect(app.logs.all.contains { $0.contains("hb.request.id=\(idB)") && $0.contains("status=401") })
        }
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        try await TestApp.run { app in
            _ = try await app.client.send(.get, "/api/v1/me")
            _ = try await app.client.send(.get, "/api/v1/me")
            _ = try await app.client.send(.get, "/health")
            let metrics = try await app.client.send(.get, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains(#"crew_http_requests_total{route="/api/v1/me",method="GET",status="401"} 2"#))
            #expect(metrics.text.contains(#"crew_http_request_duration_seconds_bucket{route="/health",method="GET",status="200""#))
            // The scrape itself is the one request being handled.
            #expect(metrics.text.split(separator: "\n").contains { $0.hasPrefix("crew_http_requests_in_flight ") && Double($0.split(separator: " ")[1]) == 1 })
        }
    }

    @Test func logLinesNameTheRoutePatternNotThePath() async throws {
        try await TestApp.run { app in
            let dana = try await app.signup("Dana")
            let id = try await app.createWorkspace(as: dana)
            _ = try await app.client.send(.get, "/api/v1/workspaces/\(id)", token: dana.token)
            let requestLines = app.logs.all.filter { $0.contains(" request ") }
            #expect(requestLines.contains { $0.contains("route=/api/v1/workspaces/{wid}") })
            #expect(!requestLines.contains { $0.contains(id) })
        }
    }
}
