import CrewCore
import Foundation
import Hummingbird

/// `/health`, `/metrics` and the OpenAPI document.
public struct OperationsController: Sendable {
    let services: HTTPServices

    public init(services: HTTPServices) {
        self.services = services
    }

    struct Health: Encodable { var status: String; var database: String }

    /// The OpenAPI document shipped with the binary.
    public static let openAPIDocument: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { fatalError("openapi.json is missing from the CrewHTTP resources") }
        return data
    }()

    public func register(on router: Router<AppRequestContext>, api: APIRouter) {
        router.get("health") { request, context in
            do {
                try await services.database.ping()
                return try context.json(Health(status: "ok", database: "ok"), request: request)
            } catch {
                context.logger.warning("health check: database not answering", metadata: ["error": "\(error)"])
                return try context.json(Health(status: "unavailable", database: "unreachable"), status: .serviceUnavailable, request: request)
            }
        }
        router.get("metrics") { _, _ in
            let text = services.metrics.emitToString()
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        // One buffer shared by every answer (copy-on-write), not a copy of the document per request.
        let document = ByteBuffer(bytes: Self.openAPIDocument)
        api.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
        }
    }
}
