import CrewHTTP
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

extension TestClientProtocol {
    /// Sends a request with an optional JSON body and bearer token.
    public func send(
        _ method: HTTPRequest.Method, _ path: String, token: String? = nil,
        json: [String: any Sendable]? = nil, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> TestResponse {
        var headers = headers
        var buffer: ByteBuffer?
        if let json {
            let data = try JSONSerialization.data(withJSONObject: json)
            buffer = ByteBuffer(bytes: data)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        } else if let body {
            buffer = ByteBuffer(string: body)
        }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: path, method: method, headers: headers, body: buffer)
    }
}

extension TestResponse {
    /// The body as text.
    public var text: String { String(buffer: body) }

    /// The body decoded as JSON.
    public func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(T.self, from: Data(buffer: body))
    }

    /// The body as a JSON object.
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] ?? [:]
    }

    /// The problem document of an error answer.
    public var problem: HTTPProblem? { try? decode(HTTPProblem.self) }

    /// The value of the session cookie set by this answer.
    public var sessionCookie: String? {
        setCookieHeader(named: SessionCookie.name).flatMap { header in
            header.split(separator: ";").first.map { String($0.dropFirst(SessionCookie.name.count + 1)) }
        }
    }

    /// The whole `Set-Cookie` header for one cookie, attributes included.
    public func setCookieHeader(named name: String) -> String? {
        headers[values: .setCookie].first { $0.hasPrefix(name + "=") }
    }
}
