import Foundation
import HTTPTypes
import Hummingbird

/// Behind a reverse proxy every request comes from the proxy's address, so
/// the per-address brakes (log-in, sign-up, invite link tokens) would count
/// all clients as one. For peers listed in `CREW_TRUSTED_PROXIES` the client
/// is the address the proxy appended to `X-Forwarded-For`.
public struct ClientAddressMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let trusted: Set<String>

    public init(trusted: Set<String>) {
        self.trusted = trusted
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty, let peer = context.remoteAddress, trusted.contains(peer) else { return try await next(request, context) }
        var context = context
        context.remoteAddress = Self.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor], trusted: trusted)
        return try await next(request, context)
    }

    /// The right-most address in `X-Forwarded-For` that is not a trusted
    /// proxy: entries left of it were written by the client and prove nothing.
    /// The peer itself when the header is missing or holds no address.
    public static func client(peer: String, forwardedFor: [String], trusted: Set<String>) -> String {
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard IPAddressText.isValid(hop) else { return peer }
            if !trusted.contains(hop) { return hop }
        }
        return peer
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}

/// Whether a text is an IPv4 or IPv6 address literal (what a proxy writes).
public enum IPAddressText {
    public static func isValid(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
