import CrewCore
import Testing

@Suite struct SecureTokenTests {
    @Test func tokensCarry256BitsAsBase64URL() {
        let token = SecureToken.generate()
        #expect(token.utf8.count == SecureToken.textLength)
        #expect(Base64URL.decode(token)?.count == 32)
        #expect(SecureToken.isWellFormed(token))
    }

    @Test func base64URLRoundTripsEveryLengthWithoutPaddingOrUnsafeCharacters() {
        var random = SystemRandomNumberGenerator()
        for length in 0..<70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains(where: { "+/=".contains($0) }))
            #expect(text.utf8.count == (length * 4 + 2) / 3)
            #expect(Base64URL.decode(text) == bytes)
        }
        // The bytes whose standard encoding has + and / (0xfb 0xff → "+/8").
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.decode("not base64!") == nil)
    }

    @Test func tokensAreUnique() {
        let tokens = Set((0..<1000).map { _ in SecureToken.generate() })
        #expect(tokens.count == 1000)
    }

    @Test func hashIsHexSHA256() {
        #expect(SecureToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: ["", "short", String(repeating: "a", count: 44), String(repeating: "+", count: 43), String(repeating: "a", count: 42) + "="])
    func malformedTokensAreRecognised(text: String) {
        #expect(!SecureToken.isWellFormed(text))
    }
}

@Suite struct SecretSealerTests {
    let key = String(repeating: "0f", count: 32)

    @Test func sealsAndOpens() throws {
        let sealer = try SecretSealer(keyText: key)
        let sealed = sealer.seal("the secret")
        #expect(!sealed.contains("the secret"))
        #expect(sealer.open(sealed) == "the secret")
        #expect(sealer.seal("the secret") != sealed, "every seal uses a fresh nonce")
    }

    @Test func anotherKeyOrATamperedBoxCannotOpen() throws {
        let sealer = try SecretSealer(keyText: key)
        let other = try SecretSealer(keyText: SecretSealer.generateKeyText())
        let sealed = sealer.seal("the secret")
        #expect(other.open(sealed) == nil)
        var bytes = Base64URL.decode(sealed)!
        bytes[bytes.count / 2] ^= 0x01
        #expect(sealer.open(Base64URL.encode(bytes)) == nil)
    }

    @Test(arguments: ["", "tooshort", String(repeating: "zz", count: 32)])
    func refusesBadKeys(text: String) {
        #expect(throws: DomainError.self) { try SecretSealer(keyText: text) }
    }

    @Test func macIsStableAndKeyed() throws {
        let a = try SecretSealer(keyText: key)
        let b = try SecretSealer(keyText: SecretSealer.generateKeyText())
        #expect(a.mac("m") == a.mac("m"))
        #expect(a.mac("m") != b.mac("m"))
    }
}

@Suite struct DomainErrorTests {
    @Test(arguments: [
        (DomainError.unauthenticated(), 401, "unauthenticated"),
        (.forbidden(), 403, "forbidden"),
        (.notFound(), 404, "not_found"),
        (.invalid("f", "m"), 422, "validation_failed"),
        (.seatLimitReached("x"), 409, "seat_limit_reached"),
        (.accountLimitReached("x"), 409, "account_limit_reached"),
        (.linkInactive(), 410, "link_inactive"),
        (.invitationInactive(), 410, "invitation_inactive"),
        (.lastOwner(), 409, "last_owner"),
        (.roleEscalation(), 403, "role_escalation"),
        (.clientsCannotRemoveAccounts(), 403, "clients_cannot_remove_accounts"),
        (.platformNotAllowed("x"), 403, "platform_not_allowed"),
        (.rateLimited(retryAfterSeconds: 5), 429, "rate_limited"),
        (.conflict("x"), 409, "conflict"),
    ])
    func codesAndStatusesMatchTheAPIContract(error: DomainError, status: Int, code: String) {
        #expect(error.status == status)
        #expect(error.code == code)
        #expect(!error.detail.isEmpty)
    }
}
