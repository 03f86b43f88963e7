import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The HTTP side of every connector: form posts to token endpoints and JSON
/// calls to platform APIs, with one timeout, errors mapped to `ConnectorError`.
/// Uses the process-wide AsyncHTTPClient, which lives as long as the process.
public struct PlatformHTTP: Sendable {
    public var timeoutSeconds: Int

    public init(timeoutSeconds: Int) {
        self.timeoutSeconds = timeoutSeconds
    }

    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]

        /// The body as a JSON object, or the malformed-response error.
        public func jsonObject() throws(ConnectorError) -> [String: Any] {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
                throw .malformedResponse("expected a JSON object")
            }
            return object
        }
    }

    /// Sends a token request. 400/401 with `invalid_grant` means the grant is dead.
    public func send(_ request: TokenRequest) async throws(ConnectorError) -> Answer {
        let answer = try await perform(method: .POST, url: request.url, headers: request.headers, body: Array(request.body.utf8))
        guard (200..<300).contains(answer.status) else {
            let object = try? answer.jsonObject()
            let code = object?["error"] as? String ?? ""
            if code == "invalid_grant" || code == "invalid_token" {
                throw .invalidGrant(code)
            }
            throw .platformError(status: answer.status, detail: Self.safeDetail(code))
        }
        return answer
    }

    /// Calls a platform API with the access token; 401 means the token stopped working.
    public func call(
        _ method: HTTPMethod, _ url: String, accessToken: String, json: [String: Any]? = nil
    ) async throws(ConnectorError) -> Answer {
        var headers = [("Authorization", "Bearer \(accessToken)"), ("Accept", "application/json")]
        var body: [UInt8]? = nil
        if let json {
            headers.append(("Content-Type", "application/json"))
            body = Array((try? JSONSerialization.data(withJSONObject: json)) ?? Data())
        }
        let answer = try await perform(method: method, url: url, headers: headers, body: body)
        if answer.status == 401 { throw .invalidGrant("access token refused") }
        guard (200..<300).contains(answer.status) else {
            let object = try? answer.jsonObject()
            let code = Self.safeDetail(object?["error"] as? String ?? "")
            // API errors explain the content ("text too long"); people need that
            // sentence to fix a post. Tokens travel only in headers, never echoed here.
            let description = Self.printable(object?["error_description"] as? String ?? "")
            throw .platformError(status: answer.status, detail: [code, description].filter { !$0.isEmpty }.joined(separator: ": "))
        }
        return answer
    }

    /// A platform's sentence, one line, at most 300 characters.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(300).map(Character.init))
    }

    private func perform(method: HTTPMethod, url: String, headers: [(String, String)], body: [UInt8]?) async throws(ConnectorError) -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeoutSeconds)))
            let buffer = try await response.body.collect(upTo: 4 << 20)
            return Answer(status: Int(response.status.code), body: Array(buffer.readableBytesView))
        } catch let error as HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                throw .timeout(seconds: timeoutSeconds)
            default:
                throw .unreachable(Self.hostOf(url))
            }
        } catch {
            // Connection refused and other socket errors arrive as NIO errors.
            throw .unreachable(Self.hostOf(url))
        }
    }

    /// Only OAuth error codes (a short fixed vocabulary) are repeated; free text
    /// from a platform could echo a secret.
    private static func safeDetail(_ code: String) -> String {
        code.count <= 40 && code.allSatisfy({ $0.isLetter || $0 == "_" }) ? code : ""
    }

    private static func hostOf(_ url: String) -> String {
        URLComponents(string: url)?.host ?? "the platform"
    }
}
