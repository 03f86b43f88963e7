/// The rules for what a person may choose as their password and display name.
public enum AccountRules {
    public static let minimumPasswordLength = 10
    /// bcrypt ignores bytes past 72, so longer passwords would silently be truncated.
    public static let maximumPasswordBytes = 72
    public static let maximumNameLength = 100

    public static func validatePassword(_ password: String, field: String = "password") throws(DomainError) {
        if password.count < minimumPasswordLength {
            throw .invalid(field, "must be at least \(minimumPasswordLength) characters")
        }
        if password.utf8.count > maximumPasswordBytes {
            throw .invalid(field, "must be at most \(maximumPasswordBytes) bytes")
        }
    }

    /// A display name (of a person, workspace or token): trimmed, 1–100 characters, no control characters.
    public static func validName(_ name: String, field: String = "name") throws(DomainError) -> String {
        let trimmed = name.trimmingWhitespace()
        if trimmed.isEmpty {
            throw .invalid(field, "must not be empty")
        }
        if trimmed.count > maximumNameLength {
            throw .invalid(field, "must be at most \(maximumNameLength) characters")
        }
        if trimmed.contains(where: \.isASCIIControl) {
            throw .invalid(field, "must not contain control characters")
        }
        return trimmed
    }
}

/// Runs several field checks and reports all their problems at once, so a
/// person fixes a form in one round trip.
public struct FieldValidator {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Runs one check; its value, or `nil` after recording its errors.
    @discardableResult
    public mutating func check<T>(_ body: () throws(DomainError) -> T) -> T? {
        do {
            return try body()
        } catch {
            errors += error.fieldErrors.isEmpty ? [FieldError(field: "body", message: error.detail)] : error.fieldErrors
            return nil
        }
    }

    /// Checks an optional value only when it is present; `nil` when absent or invalid.
    public mutating func check<T, U>(_ value: T?, _ body: (T) throws(DomainError) -> U) -> U? {
        guard let value else { return nil }
        return check { () throws(DomainError) in try body(value) }
    }

    /// Throws `validation_failed` with every recorded error, if any.
    public func finish() throws(DomainError) {
        if !errors.isEmpty { throw .validationFailed(errors) }
    }
}
