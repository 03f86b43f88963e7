import FluentKit
import FluentSQL

extension Model {
    /// The first row whose columns equal the given values, read with one plain
    /// `SELECT *` and decoded as Fluent would. For lookups every request makes
    /// (membership, invite link, workspace): Fluent's query builder writes each
    /// column as `"table"."column" AS "table_column"`, and serializing that was
    /// the largest cost of such a request in profiles (bench/NOTES.md).
    /// The model comes back as loaded, so `update(on:)` saves only what changes.
    public static func first(where conditions: KeyValuePairs<String, any Encodable & Sendable>, on db: any Database) async throws -> Self? {
        let sql = db as! any SQLDatabase
        let filter = conditions.map { "\(ident: $0.key) = \(bind: $0.value)" as SQLQueryString }.joined(separator: " AND ")
        return try await sql.raw("SELECT * FROM \(ident: schema) WHERE \(filter) LIMIT 1").first(decodingFluent: Self.self)
    }
}

extension SQLBind {
    /// A bound value, or SQL `NULL` for nil (plain inserts of optional columns).
    public static func orNull(_ value: (some Encodable & Sendable)?) -> any SQLExpression {
        value.map { SQLBind($0) as any SQLExpression } ?? SQLLiteral.null
    }
}
