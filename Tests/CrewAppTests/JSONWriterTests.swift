import CrewCore
import CrewHTTP
import CrewServices
import Foundation
import NIOCore
import Testing

/// The hand-written JSON of list pages must be exactly what `JSONEncoder` with
/// the API's settings writes, for any content.
@Suite struct JSONWriterTests {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func written(_ value: some JSONWritable) -> String {
        var json = JSONWriter()
        json.value(value)
        return String(buffer: json.buffer)
    }

    static func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Text from an alphabet of what needs escaping and what must not be.
    static func text(_ random: inout SeededRandom) -> String {
        let pieces = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{08}", "\u{0C}", "\u{01}", "\u{1F}", "\u{7F}", "é", "\u{2028}", "😀", "<", "&"]
        return (0..<random.next(below: 12)).map { _ in pieces[Int(random.next(below: UInt64(pieces.count)))] }.joined()
    }

    static func member(_ random: inout SeededRandom) throws -> MemberView {
        let template = #"{"id":"x","userId":"y","email":"e","name":"n","role":"client","permissions":[],"allowedPlatforms":[],"#
            + #""accountIds":[],"countsAsSeat":false,"joinedVia":"link","joinedAt":"2026-01-01T00:00:00Z"}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var member = try decoder.decode(MemberView.self, from: Data(template.utf8))
        member.id = UUID().apiString
        member.userId = text(&random)
        member.email = text(&random)
        member.name = text(&random)
        member.role = Role.allCases[Int(random.next(below: UInt64(Role.allCases.count)))]
        member.permissions = ClientPermission.allCases.filter { _ in random.next(below: 2) == 0 }
        member.allowedPlatforms = Platform.allCases.filter { _ in random.next(below: 2) == 0 }
        member.accountIds = (0..<random.next(below: 4)).map { _ in UUID().apiString }
        member.countsAsSeat = random.next(below: 2) == 0
        member.joinedVia = text(&random)
        // Fractions, negative times and years from 1600 to 9999 (Foundation
        // switches to the Julian calendar before 1582; no member joined then).
        let seconds = Double(Int64(random.next(below: 265_078_396_800)) - 11_676_096_000) + Double(random.next(below: 1000)) / 1000
        member.joinedAt = Date(timeIntervalSince1970: seconds)
        return member
    }

    @Test func aPageOfMembersIsWrittenExactlyAsJSONEncoderWouldWriteIt() throws {
        var random = SeededRandom(seed: 2026)
        for round in 0..<300 {
            let page = ListPage(items: try (0..<random.next(below: 4)).map { _ in try Self.member(&random) }, nextCursor: round % 2 == 0 ? nil : Self.text(&random))
            let (written, encoded) = (Self.written(page), try Self.encoded(page))
            #expect(written == encoded, "\(written)\n\(encoded)")
        }
    }

    @Test func anInviteLinkIsWrittenExactlyAsJSONEncoderWouldWriteIt() throws {
        var random = SeededRandom(seed: 2027)
        let template = #"{"url":"u","status":"enabled","statusUntil":null,"active":true,"permissions":[],"allowedPlatforms":[],"#
            + #""accountIds":[],"maxUses":null,"uses":0,"requireApproval":false,"updatedAt":"2026-01-01T00:00:00Z","seatsPerJoiner":0}"#
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        for _ in 0..<300 {
            var link = try decoder.decode(InviteLinkView.self, from: Data(template.utf8))
            link.url = Self.text(&random)
            link.status = random.next(below: 2) == 0 ? .enabled : .disabled
            link.statusUntil = random.next(below: 2) == 0 ? nil : Date(timeIntervalSince1970: Double(random.next(below: 4_000_000_000)))
            link.active = random.next(below: 2) == 0
            link.permissions = ClientPermission.allCases.filter { _ in random.next(below: 2) == 0 }
            link.allowedPlatforms = Platform.allCases.filter { _ in random.next(below: 2) == 0 }
            link.accountIds = (0..<random.next(below: 3)).map { _ in UUID().apiString }
            link.maxUses = random.next(below: 2) == 0 ? nil : Int(random.next(below: 10_000))
            link.uses = Int(random.next(below: 10_000))
            link.requireApproval = random.next(below: 2) == 0
            link.updatedAt = Date(timeIntervalSince1970: Double(random.next(below: 4_000_000_000)) + 0.25)
            link.seatsPerJoiner = Int(random.next(below: 2))
            #expect(Self.written(link) == (try Self.encoded(link)))
        }
    }

    @Test func meIsWrittenExactlyAsJSONEncoderWouldWriteIt() throws {
        var random = SeededRandom(seed: 2028)
        for _ in 0..<300 {
            let workspaces = (0..<random.next(below: 4)).map { _ in
                MeView.WorkspaceSummary(
                    id: UUID().apiString, name: Self.text(&random), role: Role.allCases[Int(random.next(below: UInt64(Role.allCases.count)))])
            }
            let me = MeView(id: UUID().apiString, email: Self.text(&random), name: Self.text(&random), workspaces: workspaces)
            #expect(Self.written(me) == (try Self.encoded(me)))
        }
    }

    @Test func datesAroundEdgesMatchFoundation() throws {
        for seconds in [0, -0.5, -1, 86_399.999, 86_400, 951_782_400, 4_107_542_399, -11_676_096_000, -11_670_912_001, 253_402_300_799] as [Double] {
            var random = SeededRandom(seed: 1)
            var member = try Self.member(&random)
            member.joinedAt = Date(timeIntervalSince1970: seconds)
            #expect(Self.written(member) == (try Self.encoded(member)), "at \(seconds)")
        }
    }

    @Test func idsRoundTripThroughTheHandWrittenForms() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.apiString == id.uuidString.lowercased())
            #expect(id.uppercaseString == id.uuidString)
            #expect(UUID(parsing: id.uuidString) == id)
            #expect(UUID(parsing: id.apiString) == id)
        }
        var random = SeededRandom(seed: 7)
        let alphabet = Array("0123456789abcdefABCDEFg-{} ")
        for _ in 0..<5000 {
            // Mostly well-formed text with a character changed, dropped or added.
            var text = Array(UUID().uuidString)
            switch random.next(below: 4) {
            case 0: text[Int(random.next(below: 36))] = alphabet[Int(random.next(below: UInt64(alphabet.count)))]
            case 1: text.remove(at: Int(random.next(below: 36)))
            case 2: text.insert(alphabet[Int(random.next(below: UInt64(alphabet.count)))], at: Int(random.next(below: 37)))
            default: break
            }
            // Foundation's `sscanf` also takes " 5" or "-1" for a byte; ids are strictly hex here.
            let strict = String(text).wholeMatch(of: /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}/) != nil
            #expect(UUID(parsing: String(text)) == (strict ? UUID(uuidString: String(text)) : nil), "\(String(text))")
        }
    }
}
