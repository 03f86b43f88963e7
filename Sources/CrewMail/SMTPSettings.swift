import Foundation

/// Where and how to hand mail to the agency's provider, from
/// `CREW_SMTP_URL`: `smtp://host:25` (plain), `smtp+starttls://user:pass@host:587`
/// (STARTTLS required) or `smtps://user:pass@host:465` (TLS from the start).
/// User and password are percent-decoded. Optional query: `timeout` (seconds
/// per step), `helo` (the name Crew gives itself).
public struct SMTPSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Security: String, Sendable, Equatable {
        case none, startTLS = "starttls", implicitTLS = "tls"
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var timeoutSeconds: Int
    public var heloName: String
    /// A PEM file of certificates to trust instead of the system's (`CREW_SMTP_CA_FILE`).
    public var trustedCertificatesFile: String?

    /// Never prints the password (service lifecycles log what they start).
    public var description: String {
        "smtp(\(security.rawValue)) \(username.map { "\($0)@" } ?? "")\(host):\(port)"
    }

    public struct Problem: Error, Equatable {
        public var message: String
    }

    public static func parse(_ text: String) throws(Problem) -> SMTPSettings {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw Problem(message: "expected smtp://, smtp+starttls:// or smtps:// followed by [user:password@]host[:port]")
        }
        let security: Security
        let defaultPort: Int
        switch scheme {
        case "smtp": (security, defaultPort) = (.none, 25)
        case "smtp+starttls": (security, defaultPort) = (.startTLS, 587)
        case "smtps": (security, defaultPort) = (.implicitTLS, 465)
        default: throw Problem(message: "unknown scheme '\(scheme)'; use smtp, smtp+starttls or smtps")
        }
        guard let host = components.host, !host.isEmpty else { throw Problem(message: "the URL names no host") }
        let port = components.port ?? defaultPort
        guard (1...65535).contains(port) else { throw Problem(message: "port \(port) is out of range") }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        var timeout = 30
        if let value = query["timeout"] {
            guard let seconds = Int(value), (1...300).contains(seconds) else { throw Problem(message: "timeout must be 1 to 300 seconds") }
            timeout = seconds
        }
        let user = components.percentEncodedUser?.removingPercentEncoding
        let password = components.percentEncodedPassword?.removingPercentEncoding
        if (user == nil) != (password == nil) { throw Problem(message: "give both user and password, or neither") }
        if password != nil && security == .none && !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw Problem(message: "refusing to send a password without TLS to \(host); use smtp+starttls:// or smtps://")
        }
        return SMTPSettings(
            host: host, port: port, security: security, username: user, password: password, timeoutSeconds: timeout,
            heloName: query["helo"] ?? "crew.localhost", trustedCertificatesFile: nil)
    }
}
