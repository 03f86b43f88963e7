import CrewServices
import Foundation
import HTTPTypes
import Hummingbird

/// The browser session cookie and the CSRF token derived from it.
public enum SessionCookie {
    public static let name = "crew_session"
    /// Header that carries the CSRF token on cookie-authenticated API calls.
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// The cookie that holds a new session's token.
    public static func make(token: String, expiresAt: Date, secure: Bool) -> Cookie {
        Cookie(name: name, value: token, expires: expiresAt, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// A cookie that tells the browser to forget the session.
    public static func expired(secure: Bool) -> Cookie {
        Cookie(name: name, value: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", secure: secure, httpOnly: true, sameSite: .lax)
    }

    /// The CSRF token for a session: a MAC of the session token's hash under the
    /// installation key, so it needs no storage and every process agrees on it.
    public static func csrfToken(for identity: Identity, services: HTTPServices) -> String {
        csrfToken(forTokenHash: identity.tokenHash, services: services)
    }

    /// The same, for a session that was just minted (the log-in answer).
    public static func csrfToken(forTokenHash hash: String, services: HTTPServices) -> String {
        services.env.sealer.mac("csrf:" + hash)
    }
}
