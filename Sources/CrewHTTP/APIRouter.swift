import Hummingbird
import Synchronization

/// One API route as the OpenAPI document names it: `GET /api/v1/workspaces/{wid}`.
public struct DocumentedRoute: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method.uppercased()
        self.path = path
    }

    public var description: String { "\(method) \(path)" }

    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
}

/// Every API route registered, so a test can hold the OpenAPI document to the
/// router in both directions.
public final class RouteCatalog: Sendable {
    private let entries = Mutex<Set<DocumentedRoute>>([])

    public init() {}

    public var routes: [DocumentedRoute] { entries.withLock { $0.sorted() } }

    func add(_ route: DocumentedRoute) {
        _ = entries.withLock { $0.insert(route) }
    }
}

/// Registers API routes on a router group and records them in the catalog.
/// Paths use Hummingbird's `:name` parameters; the catalog stores `{name}`.
public struct APIRouter {
    let group: RouterGroup<AppRequestContext>
    let prefix: String
    let catalog: RouteCatalog

    public init(group: RouterGroup<AppRequestContext>, prefix: String, catalog: RouteCatalog) {
        self.group = group
        self.prefix = prefix
        self.catalog = catalog
    }

    public func on<Output: ResponseGenerator>(
        _ method: HTTPRequest.Method, _ path: String,
        use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output
    ) {
        group.on(RouterPath(path), method: method, use: handler)
        let documented = path.split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
        catalog.add(DocumentedRoute(method: method.rawValue, path: prefix + "/" + documented.joined(separator: "/")))
    }

    public func get<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output) {
        on(.get, path, use: handler)
    }

    public func post<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output) {
        on(.post, path, use: handler)
    }

    public func patch<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output) {
        on(.patch, path, use: handler)
    }

    public func delete<Output: ResponseGenerator>(_ path: String, use handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Output) {
        on(.delete, path, use: handler)
    }
}
