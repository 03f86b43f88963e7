import CrewHTTP
import CrewTestSupport
import Foundation
import Testing

/// The served OpenAPI document and the router must list the same API routes.
@Suite struct OpenAPITests {
    @Test func documentAndRouterAgree() async throws {
        try await TestApp.run { app in
            let response = try await app.client.send(.get, "/api/v1/openapi.json")
            #expect(response.status == .ok)
            let paths = try #require(response.object["paths"] as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in
                operations.keys.map { DocumentedRoute(method: $0, path: path) }
            })
            let registered = Set(app.components.routes.routes)
            #expect(!registered.isEmpty)
            let undocumented = registered.subtracting(documented).sorted()
            let phantom = documented.subtracting(registered).sorted()
            #expect(undocumented.isEmpty, "routes missing from openapi.json: \(undocumented)")
            #expect(phantom.isEmpty, "openapi.json describes routes that do not exist: \(phantom)")
        }
    }

    @Test func everyOperationDocumentsItsErrors() throws {
        let document = try JSONSerialization.jsonObject(with: OperationsController.openAPIDocument) as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: [String: [String: Any]]])
        for (path, operations) in paths {
            for (method, operation) in operations {
                let responses = operation["responses"] as? [String: Any] ?? [:]
                #expect(responses["default"] != nil, "\(method) \(path) has no default problem response")
            }
        }
    }
}
