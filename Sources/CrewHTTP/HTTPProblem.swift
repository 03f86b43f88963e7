import CrewCore
import CrewServices
import CrewStore
import Foundation
import Hummingbird
import NIOCore

/// An `application/problem+json` answer (RFC 9457) with the stable `code` of API.md.
///
/// Domain errors and the few transport-level failures (wrong media type, body too
/// large, unknown route) all become one of these in one place.
public struct HTTPProblem: Error, Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String
    public var code: String
    public var errors: [FieldError]?
    /// Per-id reasons of a refused bulk request (nothing was changed).
    public var refused: [Refusal]?
    /// Seconds to wait, sent as `Retry-After` with 429 and 503.
    public var retryAfter: Int?

    enum CodingKeys: String, CodingKey { case type, title, status, detail, code, errors, refused }

    public init(status: Int, code: String, title: String, detail: String, errors: [FieldError]? = nil, retryAfter: Int? = nil) {
        self.type = "https://crew.invalid/problems/\(code)"
        self.title = title
        self.status = status
        self.detail = detail
        self.code = code
        self.errors = errors
        self.retryAfter = retryAfter
    }

    public init(_ error: DomainError) {
        var retry: Int?
        if case .rateLimited(let seconds) = error { retry = seconds }
        if case .unavailable = error { retry = 1 }
        self.init(
            status: error.status, code: error.code, title: error.title, detail: error.detail,
            errors: error.fieldErrors.isEmpty ? nil : error.fieldErrors, retryAfter: retry)
    }

    public static let unsupportedMediaType = HTTPProblem(
        status: 415, code: "unsupported_media_type", title: "Unsupported media type",
        detail: "Send the body as application/json.")
    public static let malformedJSON = HTTPProblem(
        status: 400, code: "malformed_json", title: "Malformed JSON", detail: "The request body is not valid JSON.")
    public static let routeNotFound = HTTPProblem(
        status: 404, code: "not_found", title: "Not found", detail: "There is nothing at this address.")
    public static let internalError = HTTPProblem(
        status: 500, code: "internal_error", title: "Internal error",
        detail: "Something went wrong on our side; it has been logged with the request id.")

    public static func contentTooLarge(limit: Int) -> HTTPProblem {
        HTTPProblem(
            status: 413, code: "payload_too_large", title: "Request body too large",
            detail: "Request bodies are limited to \(limit / 1024) KiB.")
    }

    /// Maps anything thrown by a handler to the problem shown to the client.
    /// Unknown errors become a generic 500 so no SQL or stack trace leaks.
    public static func from(_ error: any Error) -> HTTPProblem {
        switch error {
        case let problem as HTTPProblem: return problem
        case let domain as DomainError: return HTTPProblem(domain)
        case let bulk as BulkRefused:
            var problem = HTTPProblem(
                status: bulk.status, code: bulk.status == 403 ? "forbidden" : "conflict",
                title: "Request refused", detail: "\(bulk.refused.count) of the listed ids cannot be processed; nothing was changed.")
            problem.refused = bulk.refused
            return problem
        case let decoding as DecodingError:
            return from(CrewJSONDecoder.problem(for: decoding))
        case let http as HTTPError:
            return fromHTTPError(http)
        case is NIOTooManyBytesError:
            return .contentTooLarge(limit: 1 << 20)
        case _ where DatabaseUnavailability.isUnavailable(error):
            return HTTPProblem(DomainError.unavailable("The database is not answering in time; try again shortly."))
        default:
            return .internalError
        }
    }

    private static func fromHTTPError(_ error: HTTPError) -> HTTPProblem {
        switch error.status {
        case .notFound: return .routeNotFound
        case .contentTooLarge: return .contentTooLarge(limit: 1 << 20)
        case .methodNotAllowed:
            return HTTPProblem(status: 405, code: "method_not_allowed", title: "Method not allowed", detail: "This address does not accept that method.")
        case .unsupportedMediaType: return .unsupportedMediaType
        case .badRequest:
            return HTTPProblem(status: 400, code: "bad_request", title: "Bad request", detail: error.body ?? "The request could not be read.")
        default:
            let status = Int(error.status.code)
            if status >= 500 { return .internalError }
            return HTTPProblem(status: status, code: "http_\(status)", title: error.status.reasonPhrase, detail: error.body ?? error.status.reasonPhrase)
        }
    }

    /// The problem as a response.
    public func response() -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data()
        var headers: HTTPFields = [.contentType: "application/problem+json", .contentLength: String(data.count)]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
