import CrewStore
import FluentKit
import Testing

/// The listed `properties` (scripts/model-properties.py) must be exactly the
/// property wrappers reflection finds, in the same order: a missing one would
/// silently never be read or written.
@Suite struct ModelPropertiesTests {
    @Test(arguments: modelsWithListedProperties.map { ModelType($0) })
    func listedPropertiesAreTheReflectedOnes(model: ModelType) {
        let instance = model.type.init()
        let reflected = Mirror(reflecting: instance).children.compactMap { $0.value as? any AnyProperty }.map(ObjectIdentifier.init)
        let listed = instance.properties.map(ObjectIdentifier.init)
        #expect(listed == reflected, "run scripts/model-properties.py after changing \(model.type)'s fields")
        #expect(!listed.isEmpty)
    }
}

struct ModelType: CustomTestStringConvertible, Sendable {
    let type: any Model.Type
    init(_ type: any Model.Type) { self.type = type }
    var testDescription: String { "\(type)" }
}
