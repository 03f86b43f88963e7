import CrewCore
import CrewStore
import Foundation
import Testing

/// Stored lists of permissions, platforms and ids: what is written reads back,
/// and what cannot be read is skipped rather than guessed.
@Suite struct CommaListTests {
    @Test func setsAndIdsReadBackAsWritten() {
        let permissions: Set<ClientPermission> = Set(ClientPermission.allCases.prefix(3))
        #expect(CommaList.decode(CommaList.encode(permissions)) == permissions)
        #expect(CommaList.decode("") as Set<ClientPermission> == [])
        let ids = (0..<5).map { _ in UUID() }
        #expect(Set(CommaList.decodeIDs(CommaList.encodeIDs(ids))) == Set(ids))
        #expect(CommaList.decodeIDs("") == [])
    }

    @Test func unknownItemsAndEmptyItemsAreSkipped() {
        let platforms: Set<Platform> = CommaList.decode(",\(Platform.allCases[0].rawValue),,no-such-platform,é,")
        #expect(platforms == [Platform.allCases[0]])
        let id = UUID()
        #expect(CommaList.decodeIDs("\(id.uuidString),not-an-id,,\(id.uuidString.lowercased())é") == [id])
    }
}
