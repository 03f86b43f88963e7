import CrewCore
import CrewServices
import CrewStore
import Foundation
import Hummingbird
import NIOCore

/// The context of every request: Hummingbird's core storage, the client's
/// address, and the signed-in person once `AuthenticationMiddleware` found one.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for audit rows and rate limits.
    /// (`ClientAddressMiddleware` puts the client behind a trusted proxy here.)
    public var remoteAddress: String?
    /// The signed-in person, if any.
    public var identity: Identity?
    /// The caller's membership of the workspace in the path, when the
    /// authentication read it with the session (see `HTTPServices.access`).
    public var callerMembership: CallerMembership?
    /// The signed-in person's workspaces, when the authentication read them
    /// with the session (`GET /api/v1/me`).
    public var callerWorkspaces: [MeView.WorkspaceSummary]?
    /// The client invite link of the workspace in the path, when the
    /// authentication read it with the session (`GET …/client-invite-link`);
    /// shown only once the caller's access allows it.
    public var workspaceLink: InviteLinkModel?
    /// Whether the identity came from the session cookie (and so needs CSRF checks).
    public var authenticatedByCookie = false
    /// The request's database handle, once `HTTPServices.db` made one (making
    /// one is a few percent of a short request; it is made once).
    public var database: (any Database)?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// API bodies are small JSON documents; anything over 1 MiB is refused with 413.
    public var maxUploadSize: Int { 1 << 20 }

    public var requestDecoder: CrewJSONDecoder { CrewJSONDecoder() }

    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// The signed-in person, or `401 unauthenticated`.
    public func requireIdentity() throws(DomainError) -> Identity {
        guard let identity else { throw .unauthenticated() }
        return identity
    }

    /// Where a log-in, sign-up or reset attempt comes from, for its brakes.
    public var signInOrigin: SignInOrigin { SignInOrigin(address: remoteAddress, logger: logger) }

    /// Who is acting, for audit rows.
    public var actor: Actor {
        Actor(userID: identity?.userID, name: identity?.name ?? "anonymous", ip: remoteAddress)
    }
}
