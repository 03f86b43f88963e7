import CrewCore
import Testing

@Suite struct EmailAddressTests {
    @Test(arguments: [
        ("  Pat@Example.COM ", "pat@example.com"),
        ("a.b+tag@sub.example.org", "a.b+tag@sub.example.org"),
        ("x@y.co", "x@y.co"),
    ])
    func normalisesValidAddresses(raw: String, expected: String) throws {
        #expect(try EmailAddress(raw).value == expected)
    }

    @Test(arguments: [
        "", "plain", "@example.com", "pat@", "pat@localhost", "pat@@example.com", "pat@exa mple.com",
        "pat@example.com\r\nBcc: evil@example.com", "pat\n@example.com", "<pat@example.com>", "pat@-example.com",
        ".pat@example.com", "pa..t@example.com", "pat@example..com",
    ])
    func refusesInvalidAddresses(raw: String) {
        #expect(throws: DomainError.self) { try EmailAddress(raw) }
    }

    @Test func errorNamesTheField() {
        do {
            _ = try EmailAddress("nope", field: "emails[2]")
            Issue.record("expected a validation error")
        } catch {
            #expect(error.code == "validation_failed")
            #expect(error.fieldErrors.map(\.field) == ["emails[2]"])
        }
    }
}

@Suite struct AccountRulesTests {
    @Test func passwordNeedsTenCharacters() throws {
        #expect(throws: DomainError.self) { try AccountRules.validatePassword("123456789") }
        try AccountRules.validatePassword("1234567890")
    }

    @Test func passwordOver72BytesIsRefusedBecauseBcryptWouldTruncateIt() {
        #expect(throws: DomainError.self) { try AccountRules.validatePassword(String(repeating: "é", count: 40)) }
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try AccountRules.validName("  Dana  ") == "Dana")
        #expect(throws: DomainError.self) { try AccountRules.validName("   ") }
        #expect(throws: DomainError.self) { try AccountRules.validName(String(repeating: "x", count: 101)) }
        #expect(throws: DomainError.self) { try AccountRules.validName("bad\u{0007}name") }
    }

    @Test func validatorCollectsEveryProblem() {
        var validator = FieldValidator()
        validator.check { () throws(DomainError) in try AccountRules.validatePassword("short") }
        let name = validator.check { () throws(DomainError) in try AccountRules.validName("") }
        #expect(name == nil)
        #expect(validator.errors.map(\.field) == ["password", "name"])
        #expect(throws: DomainError.self) { try validator.finish() }
    }
}
