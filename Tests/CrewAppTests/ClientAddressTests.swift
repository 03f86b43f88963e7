import CrewApp
import CrewHTTP
import Testing

/// Behind a trusted proxy the client is the last address it appended to
/// `X-Forwarded-For`; what the client wrote there itself proves nothing.
@Suite struct ClientAddressTests {
    static let proxies: Set<String> = ["10.0.0.5", "10.0.0.6"]

    @Test func theProxysLastAppendedAddressIsTheClient() {
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["198.51.100.7"], trusted: Self.proxies) == "198.51.100.7")
        // A client that forges the header is named by the address the proxy appended.
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["1.2.3.4, 198.51.100.7"], trusted: Self.proxies) == "198.51.100.7")
        // Two proxies in a row: the hop before them.
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["198.51.100.7", "10.0.0.6"], trusted: Self.proxies) == "198.51.100.7")
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["2001:db8::1"], trusted: Self.proxies) == "2001:db8::1")
    }

    @Test func withoutAUsableHeaderThePeerIsTheClient() {
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: [], trusted: Self.proxies) == "10.0.0.5")
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["not-an-address"], trusted: Self.proxies) == "10.0.0.5")
        #expect(ClientAddressMiddleware.client(peer: "10.0.0.5", forwardedFor: ["10.0.0.6"], trusted: Self.proxies) == "10.0.0.5")
    }

    @Test func theSettingTakesAddressesOnly() throws {
        let configuration = try CrewConfiguration.load(environment: ["CREW_TRUSTED_PROXIES": "127.0.0.1, ::1"])
        #expect(configuration.trustedProxies == ["127.0.0.1", "::1"])
        #expect(throws: (any Error).self) { try CrewConfiguration.load(environment: ["CREW_TRUSTED_PROXIES": "127.0.0.0/8"]) }
        #expect(try CrewConfiguration.load(environment: [:]).trustedProxies.isEmpty)
    }
}
