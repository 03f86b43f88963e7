import CrewCore
import Foundation
import Hummingbird
import NIOCore

/// CSV files in and out of the API. In: the body itself as `text/csv`, or
/// `{"csv": "…"}` as JSON for clients that only send JSON. Out: streamed.
enum CSVBody {
    /// 10,000 rows of long addresses and grants fit; the JSON limit (1 MiB) would not.
    static let maxBytes = 4 << 20

    struct JSONForm: Decodable { var csv: String }

    static let unsupported = HTTPProblem(
        status: 415, code: "unsupported_media_type", title: "Unsupported media type",
        detail: "Send the file as text/csv, or as application/json {\"csv\": \"…\"}.")

    static func text(of request: Request, context: AppRequestContext) async throws -> String {
        let mediaType = request.headers[.contentType].flatMap { MediaType(from: $0) }
        guard let mediaType, mediaType.type == .text, mediaType.subType == "csv" else {
            guard let mediaType, mediaType.isType(.applicationJson) else { throw unsupported }
            return try await request.decode(as: JSONForm.self, context: context).csv
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw HTTPProblem.contentTooLarge(limit: maxBytes)
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw DomainError.invalid("csv", "must be UTF-8 text")
        }
        return text
    }

    /// The file as the response to an export: streamed as it is read.
    static func response(filename: String, _ produce: @escaping @Sendable ((String) async throws -> Void) async throws -> Void) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(filename)\"",
                .cacheControl: "no-store",
            ],
            body: ResponseBody { writer in
                try await produce { text in try await writer.write(ByteBuffer(string: text)) }
                try await writer.finish(nil)
            })
    }
}
