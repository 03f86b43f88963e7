import Foundation

/// Small charts drawn on the server as SVG: no chart library, no script.
/// Values are whole numbers per day; labels are the days.
enum SVGChart {
    static let width = 720.0
    static let height = 220.0
    static let padLeft = 56.0
    static let padBottom = 28.0
    static let padTop = 12.0

    /// A line chart (followers over time).
    static func line(_ values: [Int], labels: [String], title: String) -> String {
        chart(values, labels: labels, title: title) { points, _ in
            let path = points.enumerated().map { index, point in "\(index == 0 ? "M" : "L")\(format(point.x)),\(format(point.y))" }.joined(separator: " ")
            return "<path d=\"\(path)\" fill=\"none\" stroke=\"#4455dd\" stroke-width=\"2\"/>"
        }
    }

    /// A bar chart (impressions or engagements per day).
    static func bars(_ values: [Int], labels: [String], title: String) -> String {
        chart(values, labels: labels, title: title) { points, step in
            let bar = max(1, step * 0.7)
            let base = height - padBottom
            return points.map { point in
                "<rect x=\"\(format(point.x - bar / 2))\" y=\"\(format(point.y))\" width=\"\(format(bar))\" height=\"\(format(base - point.y))\" fill=\"#7a86e8\"/>"
            }.joined()
        }
    }

    private static func chart(
        _ values: [Int], labels: [String], title: String, draw: ([(x: Double, y: Double)], Double) -> String
    ) -> String {
        let top = Double(max(values.max() ?? 0, 1))
        let plotWidth = width - padLeft - 8
        let plotHeight = height - padTop - padBottom
        let step = plotWidth / Double(max(values.count, 1))
        let points = values.enumerated().map { index, value in
            (x: padLeft + step * (Double(index) + 0.5), y: padTop + plotHeight * (1 - Double(value) / top))
        }
        var svg = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\">"
        svg += "<title>\(escape(title))</title>"
        for fraction in [0.0, 0.5, 1.0] {
            let y = padTop + plotHeight * (1 - fraction)
            svg += "<line x1=\"\(Int(padLeft))\" x2=\"\(Int(width - 8))\" y1=\"\(format(y))\" y2=\"\(format(y))\" stroke=\"#e3e3e8\"/>"
            svg += "<text x=\"\(Int(padLeft - 6))\" y=\"\(format(y + 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#666\">\(compact(Int(top * fraction)))</text>"
        }
        svg += draw(points, step)
        // At most eight day labels, evenly spaced.
        let every = max(1, labels.count / 8)
        for (index, label) in labels.enumerated() where index % every == 0 {
            svg += "<text x=\"\(format(points[index].x))\" y=\"\(Int(height - 8))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#666\">\(escape(String(label.suffix(5))))</text>"
        }
        return svg + "</svg>"
    }

    static func compact(_ value: Int) -> String {
        switch value {
        case 1_000_000...: String(format: "%.1fM", Double(value) / 1_000_000)
        case 10_000...: "\(value / 1_000)k"
        default: "\(value)"
        }
    }

    private static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
