import CrewCore
import Foundation
import Hummingbird
import NIOCore

/// Decodes JSON request bodies and turns every way they can be wrong into a
/// clear problem: 415 for another media type, 413 for an oversized body,
/// 400 for broken JSON and 422 naming the field for wrong or missing values.
public struct CrewJSONDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.isType(.applicationJson) || mediaType.subType.hasSuffix("+json") else {
            throw HTTPProblem.unsupportedMediaType
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw HTTPProblem.contentTooLarge(limit: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw HTTPProblem.contentTooLarge(limit: context.maxUploadSize)
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
    }

    static func problem(for error: DecodingError) -> any Error {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : (text.isEmpty ? "body" : text)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return DomainError.invalid(path(context.codingPath, key), "is required")
        case .valueNotFound(_, let context):
            return DomainError.invalid(path(context.codingPath), "must not be null")
        case .typeMismatch(let type, let context):
            return DomainError.invalid(path(context.codingPath), "must be \(describe(type))")
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return HTTPProblem.malformedJSON
        case .dataCorrupted(let context):
            return DomainError.invalid(path(context.codingPath), "has an invalid value")
        @unknown default:
            return HTTPProblem.malformedJSON
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
