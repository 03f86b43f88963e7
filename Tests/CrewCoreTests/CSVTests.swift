import CrewCore
import Foundation
import Testing

/// RFC 4180 files as spreadsheets write them, and cells a spreadsheet may not run.
@Suite struct CSVTests {
    @Test func quotedCellsKeepSeparatorsQuotesAndLineBreaks() throws {
        let text = "name,email\r\n\"Smith, Ana\",ana@x.test\r\n\"Say \"\"hi\"\"\nthere\",b@x.test\n\nlast,c@x.test"
        let records = try CSV.parse(text, maxRows: 10)
        #expect(records.map(\.cells) == [["name", "email"], ["Smith, Ana", "ana@x.test"], ["Say \"hi\"\nthere", "b@x.test"], ["last", "c@x.test"]])
        // Rows are numbered as a spreadsheet shows them: the quoted line break
        // and the blank line both take a row.
        #expect(records.map(\.row) == [1, 2, 3, 6])
    }

    @Test func theSeparatorIsTheOneTheHeaderUsesAndABOMIsDropped() throws {
        #expect(try CSV.parse("\u{FEFF}email;role\na@x.test;client", maxRows: 5).map(\.cells) == [["email", "role"], ["a@x.test", "client"]])
        #expect(try CSV.parse("email\trole\na@x.test\tclient", maxRows: 5).last?.cells == ["a@x.test", "client"])
        #expect(try CSV.parse("email,role,permissions\na@x.test,client,\"a;b\"", maxRows: 5).last?.cells == ["a@x.test", "client", "a;b"])
    }

    @Test func tooManyRowsAndAnOpenQuoteAreRefused() {
        let rows = (0...3).map { "r\($0)@x.test" }.joined(separator: "\n")
        #expect(throws: DomainError.self) { try CSV.parse(rows, maxRows: 3) }
        #expect((try? CSV.parse(rows, maxRows: 4))?.count == 4)
        // A header is not counted as a row.
        #expect((try? CSV.parse("email\n" + rows, maxRows: 4, headerRows: 1))?.count == 5)
        #expect(throws: DomainError.self) { try CSV.parse("email\n" + rows, maxRows: 3, headerRows: 1) }
        do {
            _ = try CSV.parse("email\n\"open@x.test\n", maxRows: 5)
            Issue.record("an open quote was accepted")
        } catch {
            #expect(error.fieldErrors.first?.message.contains("row 2") == true)
        }
    }

    @Test func cellsAreQuotedWhenNeededAndFormulasNeutralised() throws {
        #expect(CSV.cell("plain") == "plain")
        #expect(CSV.cell("Smith, Ana") == "\"Smith, Ana\"")
        #expect(CSV.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.cell("=HYPERLINK(\"http://x\")") == "\"'=HYPERLINK(\"\"http://x\"\")\"")
        #expect(CSV.cell("+1 555") == "'+1 555")
        let line = CSV.line(["Ana", "a,b", "x\ny", "cr\rlf\r\n"])
        #expect(try CSV.parse(line, maxRows: 1).first?.cells == ["Ana", "a,b", "x\ny", "cr\rlf\r\n"])
    }
}
