// Services build their queries with FluentKit directly; re-export it so they
// need only `import CrewStore`.
@_exported import FluentKit
@_exported import FluentSQL
