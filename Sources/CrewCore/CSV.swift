/// Comma-separated values as spreadsheets write and read them (RFC 4180):
/// quoted cells may hold separators, quotes (doubled) and line breaks.
public enum CSV {
    /// One record of a file and the row a spreadsheet shows it on (the line
    /// where it starts, counting from 1).
    public struct Record: Sendable, Equatable {
        public var row: Int
        public var cells: [String]

        public init(row: Int, cells: [String]) {
            self.row = row
            self.cells = cells
        }
    }

    /// A cell for a file: quoted when it holds a separator, a quote or a line
    /// break, and a leading formula character neutralised (names are typed by
    /// people; `=HYPERLINK(…)` in a name must not run in the agency's sheet).
    public static func cell(_ text: String) -> String {
        // Scalars, not Characters: "\r\n" is one Character, which would hide a lone "\n".
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        guard value.unicodeScalars.contains(where: { ",;\"\r\n\t".unicodeScalars.contains($0) }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One line of a file, CRLF-terminated as RFC 4180 writes it.
    public static func line(_ cells: [String]) -> String {
        cells.map(cell).joined(separator: ",") + "\r\n"
    }

    /// The records of `text`; blank lines are skipped. The separator is the
    /// one the first line uses most of comma, semicolon and tab (spreadsheets
    /// in many locales save with semicolons). A leading byte-order mark is
    /// dropped. Refuses more than `maxRows` records after the first
    /// `headerRows`, and a quote left open.
    public static func parse(_ text: String, maxRows: Int, headerRows: Int = 0) throws(DomainError) -> [Record] {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        var reader = Reader(bytes: bytes, separator: separator(of: bytes))
        var records: [Record] = []
        while let record = try reader.next() {
            if record.cells.allSatisfy({ $0.isEmpty }) { continue }
            guard records.count < maxRows + headerRows else {
                throw DomainError.invalid("csv", "has more than \(maxRows) rows\(headerRows > 0 ? " after the header" : "")")
            }
            records.append(record)
        }
        return records
    }

    private static let comma = UInt8(ascii: ","), semicolon = UInt8(ascii: ";"), tab = UInt8(ascii: "\t")
    private static let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    /// The separator the first line (outside quotes) uses most; comma on a tie.
    private static func separator(of bytes: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [comma: 0, semicolon: 0, tab: 0]
        var quoted = false
        for byte in bytes {
            if byte == quote { quoted.toggle() } else if !quoted && (byte == lf || byte == cr) { break } else if !quoted, counts[byte] != nil {
                counts[byte]! += 1
            }
        }
        var best = comma
        for candidate in [semicolon, tab] where counts[candidate]! > counts[best]! { best = candidate }
        return best
    }

    /// Walks the bytes once, a record at a time.
    private struct Reader {
        let bytes: [UInt8]
        let separator: UInt8
        var index = 0
        var line = 1

        mutating func next() throws(DomainError) -> Record? {
            guard index < bytes.count else { return nil }
            let row = line
            var cells: [String] = []
            var cell: [UInt8] = []
            var quoted = false
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if quoted {
                    if byte == quote {
                        if index < bytes.count && bytes[index] == quote {
                            cell.append(quote)
                            index += 1
                        } else {
                            quoted = false
                        }
                    } else {
                        if byte == lf { line += 1 }
                        cell.append(byte)
                    }
                } else if byte == quote && cell.isEmpty {
                    quoted = true
                } else if byte == separator {
                    cells.append(String(decoding: cell, as: UTF8.self))
                    cell.removeAll(keepingCapacity: true)
                } else if byte == lf || byte == cr {
                    if byte == cr && index < bytes.count && bytes[index] == lf { index += 1 }
                    line += 1
                    cells.append(String(decoding: cell, as: UTF8.self))
                    return Record(row: row, cells: cells)
                } else {
                    cell.append(byte)
                }
            }
            if quoted { throw DomainError.invalid("csv", "row \(row): a quoted cell is never closed") }
            cells.append(String(decoding: cell, as: UTF8.self))
            return Record(row: row, cells: cells)
        }
    }
}
