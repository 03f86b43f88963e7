import CrewConnectors
import CrewCore
import Foundation

/// The sandbox's pretend world: a fixed set of profiles and data generated from
/// them deterministically, so the same day always shows the same numbers.
enum SandboxData {
    struct Profile: Codable, Sendable, Equatable {
        var id: String
        var name: String
        var kind: String
    }

    static let profiles: [Profile] = [
        Profile(id: "sbx-101", name: "Harbor Bakery", kind: "Page"),
        Profile(id: "sbx-102", name: "Northside Cycles", kind: "Page"),
        Profile(id: "sbx-103", name: "Lumen Studio", kind: "Business profile"),
        Profile(id: "sbx-104", name: "Green Fork Kitchen", kind: "Page"),
        Profile(id: "sbx-105", name: "Tidewater Yoga", kind: "Creator profile"),
        Profile(id: "sbx-106", name: "Copper Kettle Coffee", kind: "Business profile"),
    ]

    static func profile(_ id: String) -> Profile? { profiles.first { $0.id == id } }

    /// Metrics for every day from `from` to `to`: followers grow a little each
    /// day, impressions swing by weekday, engagements and clicks follow them.
    static func metrics(profileID: String, days: [Date], ledger: SandboxLedger) -> [DailyMetrics] {
        days.map { day in
            var random = SeededRandom(seed: "\(profileID)|\(dayText(day))")
            let dayNumber = Int(day.timeIntervalSince1970 / 86_400)
            let base = 800 + Int(SeededRandom.fnv1a(profileID) % 4_000)
            let followers = base + (dayNumber % 10_000) * 2 + Int(random.next(below: 3))
            let weekday = (dayNumber + 4) % 7  // 0 = Sunday
            let weekdayFactor = weekday == 0 || weekday == 6 ? 0.7 : 1.0
            let impressions = Int(Double(followers) * (1.5 + Double(random.next(below: 100)) / 50) * weekdayFactor)
            let engagements = impressions * (2 + Int(random.next(below: 5))) / 100
            let clicks = engagements * (10 + Int(random.next(below: 20))) / 100
            let posts = Int(random.next(below: 3)) + ledger.postsPublished(profileID: profileID, day: dayText(day))
            return DailyMetrics(
                day: dayText(day), followers: followers, impressions: impressions, engagements: engagements, clicks: clicks, postsPublished: posts)
        }
    }

    private static let people = ["Ada Quinn", "Ben Ortiz", "Chloe Park", "Dev Patel", "Elif Kaya", "Femi Adeyemi", "Grace Liu", "Hugo Martin"]
    private static let openers = [
        "Hi! Are you open on Sunday?", "Do you ship to Canada?", "Loved your last post!", "Can I book for 6 people tonight?",
        "Is the spring offer still on?", "My order hasn't arrived yet.", "Do you have gift cards?", "Who took that photo? It's great.",
    ]
    private static let replies = [
        "Yes, from 9 to 3!", "We do, shipping takes 5-7 days.", "Thank you so much!", "Sure, see you at 6.",
        "Until the end of the month.", "Sorry about that, could you send us your order number?", "Yes, in store and online.",
        "Our own team, thanks!",
    ]

    /// A new conversation starts in every profile's inbox every three hours.
    static let conversationInterval: TimeInterval = 3 * 3_600
    /// How many of the newest conversations the API returns.
    static let conversationWindow = 8

    /// The newest conversations up to `now`: one per three-hour slot, started at
    /// a seeded minute of the slot; every other one already answered by the
    /// profile; replies sent through the API follow.
    static func conversations(profileID: String, now: Date, ledger: SandboxLedger) -> [PlatformConversation] {
        let current = Int(now.timeIntervalSince1970 / conversationInterval)
        return (current - conversationWindow + 1...current).reversed().compactMap { slot in
            conversation(profileID: profileID, slot: slot, now: now, ledger: ledger)
        }
    }

    static func conversation(profileID: String, slot: Int, now: Date, ledger: SandboxLedger) -> PlatformConversation? {
        var random = SeededRandom(seed: "\(profileID)|\(slot)")
        let person = people[Int(random.next(below: UInt64(people.count)))]
        let topic = Int(random.next(below: UInt64(openers.count)))
        let askedAt = Date(timeIntervalSince1970: Double(slot) * conversationInterval + Double(random.next(below: 9_000)))
        guard askedAt <= now else { return nil }
        let id = "\(profileID)-t\(slot)"
        var messages = [PlatformConversation.Message(externalID: "\(id)-m0", author: person, fromProfile: false, text: openers[topic], sentAt: askedAt)]
        let answeredAt = askedAt.addingTimeInterval(420)
        if slot % 2 == 1, answeredAt <= now {
            messages.append(
                PlatformConversation.Message(
                    externalID: "\(id)-m1", author: profile(profileID)?.name ?? profileID, fromProfile: true, text: replies[topic],
                    sentAt: answeredAt))
        }
        messages += ledger.replies(conversationID: id)
        return PlatformConversation(externalID: id, participant: person, messages: messages)
    }

    /// The slot of a conversation id made by `conversation(profileID:slot:)`.
    static func slot(ofConversation id: String, profileID: String) -> Int? {
        guard id.hasPrefix("\(profileID)-t") else { return nil }
        return Int(id.dropFirst(profileID.count + 2))
    }

    private static let dayStyle = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()

    static func dayText(_ day: Date) -> String {
        day.formatted(dayStyle)
    }

    static func parseDay(_ text: String) -> Date? {
        text.count == 10 ? try? Date(text, strategy: dayStyle) : nil
    }
}
