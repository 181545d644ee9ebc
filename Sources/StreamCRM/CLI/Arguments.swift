/// A small command-line argument reader: flags (`--name value`, `--name=value`, `--flag`) and
/// positional arguments, with errors that name the flag.
public struct Arguments: Sendable {
    public private(set) var positional: [String] = []
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// Parses `args` (without the program and subcommand names). `valueOptions` take a value.
    public init(_ args: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws(UsageError) {
        var i = 0
        while i < args.count {
            let arg = args[i]
            if arg == "--" { positional.append(contentsOf: args[(i + 1)...]); break }
            if arg.hasPrefix("--") && arg.count > 2 {
                var name = String(arg.dropFirst(2))
                var value: String?
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                if valueOptions.contains(name) {
                    if value == nil {
                        i += 1
                        guard i < args.count else { throw UsageError("--\(name) needs a value") }
                        value = args[i]
                    }
                    options[name, default: []].append(value!)
                } else if flagOptions.contains(name) {
                    if value != nil { throw UsageError("--\(name) takes no value") }
                    flags.insert(name)
                } else {
                    throw UsageError("unknown option --\(name)")
                }
            } else {
                positional.append(arg)
            }
            i += 1
        }
    }

    /// The last value of an option.
    public func value(_ name: String) -> String? { options[name]?.last }
    /// All values of a repeatable option.
    public func values(_ name: String) -> [String] { options[name] ?? [] }
    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { flags.contains(name) }

    /// An integer option with a default, refusing non-integers.
    public func int(_ name: String, default def: Int) throws(UsageError) -> Int {
        guard let text = value(name) else { return def }
        guard let v = Int(text) else { throw UsageError("--\(name) expects an integer, got '\(text)'") }
        return v
    }
}

/// A command-line usage problem (exit status 2).
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
