/// One problem with one field of a request.
public struct FieldError: Error, Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// Every failure a use case can report, each with the stable machine code of the API.
///
/// The HTTP layer maps these to `application/problem+json` in one place; nothing
/// else decides status codes.
public enum DomainError: Error, Sendable, Equatable {
    case unauthenticated(String = "Sign in to continue.")
    case forbidden(String = "You are not allowed to do this.")
    case notFound(String = "Not found.")
    case validationFailed([FieldError])
    case seatLimitReached(String)
    case accountLimitReached(String)
    case linkInactive(String = "This invite link is not active.")
    case invitationInactive(String = "This invitation is no longer valid.")
    /// A password reset link that was used already, replaced or ran out.
    case resetTokenInactive(String = "This password reset link is no longer valid. Ask for a new one.")
    /// The member's access to the workspace ran out (`accessUntil`); they stay
    /// listed until the sweeper removes them, but may do nothing there.
    case accessEnded(String = "Your access to this workspace has ended. Ask its owner to extend it.")
    case lastOwner(String = "A workspace always keeps its owner.")
    case roleEscalation(String = "You cannot grant more than you have.")
    case clientsCannotRemoveAccounts(String = "Clients cannot disconnect or delete social accounts.")
    case platformNotAllowed(String)
    case rateLimited(retryAfterSeconds: Int)
    case conflict(String)
    /// The database or another dependency is not answering in time.
    case unavailable(String = "The service is busy; try again shortly.")
    /// An OAuth callback whose `state` is unknown, used, expired or someone else's.
    case invalidState(String)
    /// A social platform failed, refused or timed out while Crew talked to it.
    case platformFailed(String)
    /// Somebody tried to approve a post they wrote.
    case selfApproval(String = "Nobody approves their own post.")

    /// One validation error for one field.
    public static func invalid(_ field: String, _ message: String) -> DomainError {
        .validationFailed([FieldError(field: field, message: message)])
    }

    /// The stable machine-readable code of API.md.
    public var code: String {
        switch self {
        case .unauthenticated: "unauthenticated"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .validationFailed: "validation_failed"
        case .seatLimitReached: "seat_limit_reached"
        case .accountLimitReached: "account_limit_reached"
        case .linkInactive: "link_inactive"
        case .invitationInactive: "invitation_inactive"
        case .resetTokenInactive: "reset_token_inactive"
        case .accessEnded: "access_ended"
        case .lastOwner: "last_owner"
        case .roleEscalation: "role_escalation"
        case .clientsCannotRemoveAccounts: "clients_cannot_remove_accounts"
        case .platformNotAllowed: "platform_not_allowed"
        case .rateLimited: "rate_limited"
        case .conflict: "conflict"
        case .unavailable: "unavailable"
        case .invalidState: "invalid_state"
        case .platformFailed: "platform_failed"
        case .selfApproval: "self_approval"
        }
    }

    /// The HTTP status the code travels with.
    public var status: Int {
        switch self {
        case .unauthenticated: 401
        case .forbidden, .roleEscalation, .clientsCannotRemoveAccounts, .platformNotAllowed, .selfApproval, .accessEnded: 403
        case .notFound: 404
        case .validationFailed: 422
        case .seatLimitReached, .accountLimitReached, .lastOwner, .conflict: 409
        case .linkInactive, .invitationInactive, .resetTokenInactive: 410
        case .rateLimited: 429
        case .unavailable: 503
        case .invalidState: 400
        case .platformFailed: 502
        }
    }

    /// A short human title for the problem type.
    public var title: String {
        switch self {
        case .unauthenticated: "Not signed in"
        case .forbidden: "Forbidden"
        case .notFound: "Not found"
        case .validationFailed: "Invalid request"
        case .seatLimitReached: "Seat limit reached"
        case .accountLimitReached: "Social account limit reached"
        case .linkInactive: "Invite link inactive"
        case .invitationInactive: "Invitation inactive"
        case .resetTokenInactive: "Reset link inactive"
        case .accessEnded: "Access ended"
        case .lastOwner: "Last owner"
        case .roleEscalation: "Role escalation"
        case .clientsCannotRemoveAccounts: "Clients cannot remove accounts"
        case .platformNotAllowed: "Platform not allowed"
        case .rateLimited: "Too many requests"
        case .conflict: "Conflict"
        case .unavailable: "Service unavailable"
        case .invalidState: "Invalid authorization state"
        case .platformFailed: "Social platform failed"
        case .selfApproval: "Own post"
        }
    }

    /// The human explanation shown to the person.
    public var detail: String {
        switch self {
        case .unauthenticated(let d), .forbidden(let d), .notFound(let d), .seatLimitReached(let d),
            .accountLimitReached(let d), .linkInactive(let d), .invitationInactive(let d), .resetTokenInactive(let d), .accessEnded(let d), .lastOwner(let d),
            .roleEscalation(let d), .clientsCannotRemoveAccounts(let d), .platformNotAllowed(let d),
            .conflict(let d), .unavailable(let d), .invalidState(let d), .platformFailed(let d), .selfApproval(let d):
            d
        case .validationFailed(let errors):
            errors.count == 1
                ? "\(errors[0].field): \(errors[0].message)"
                : "\(errors.count) fields are invalid."
        case .rateLimited(let seconds):
            "Too many attempts; try again in \(seconds == 1 ? "1 second" : "\(seconds) seconds")."
        }
    }

    /// Field errors, for `validation_failed` only.
    public var fieldErrors: [FieldError] {
        if case .validationFailed(let errors) = self { errors } else { [] }
    }
}

extension DomainError {
    /// Rebuilds a single-message error from its code (for errors carried as data,
    /// such as one refusal of a bulk request). `nil` for codes that carry more.
    public init?(code: String, detail: String) {
        switch code {
        case "unauthenticated": self = .unauthenticated(detail)
        case "forbidden": self = .forbidden(detail)
        case "not_found": self = .notFound(detail)
        case "seat_limit_reached": self = .seatLimitReached(detail)
        case "account_limit_reached": self = .accountLimitReached(detail)
        case "link_inactive": self = .linkInactive(detail)
        case "invitation_inactive": self = .invitationInactive(detail)
        case "access_ended": self = .accessEnded(detail)
        case "last_owner": self = .lastOwner(detail)
        case "role_escalation": self = .roleEscalation(detail)
        case "clients_cannot_remove_accounts": self = .clientsCannotRemoveAccounts(detail)
        case "platform_not_allowed": self = .platformNotAllowed(detail)
        case "conflict": self = .conflict(detail)
        default: return nil
        }
    }
}
