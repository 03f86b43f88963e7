import CrewServices
import Foundation
import Hummingbird

/// A list answer: `{"items": [...], "nextCursor": "..." | null}`.
public struct ListPage<Item: Encodable & Sendable>: Encodable, Sendable {
    public var items: [Item]
    public var nextCursor: String?
    /// Where a shared page keeps its encoded body (see `Page.rendered`).
    var rendered: RenderedForm?

    public init(items: [Item], nextCursor: String? = nil) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// A service's page; one the services share is encoded once.
    public init(_ page: Page<Item>) {
        self.init(items: page.items, nextCursor: page.nextCursor)
        self.rendered = page.rendered
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(items, forKey: .items)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }
}

extension AppRequestContext {
    /// Encodes `value` as the JSON answer with the given status.
    public func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, request: Request) throws -> Response {
        // Views that write their own JSON skip `JSONEncoder` (byte for byte the same).
        if let writable = value as? any JSONWritable { return writable.jsonResponse(status: status) }
        var response = try responseEncoder.encode(value, from: request, context: self)
        response.status = status
        return response
    }
}
