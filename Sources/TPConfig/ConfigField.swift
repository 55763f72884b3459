/// Why one value does not fit one key; `ConfigField.assign` adds key, value and origin.
enum FieldProblem: Error {
    case wrongType
    case outOfRange
    case unknownValue(allowed: [String])
}

/// How values of one Swift type are read from a `ConfigValue`, checked, and written back.
/// `expected` is the phrase error messages use ("a number > 0").
struct Converter<T>: Sendable {
    let expected: String
    let decode: @Sendable (ConfigValue) -> Result<T, FieldProblem>
    let encode: @Sendable (T) -> ConfigValue
}

/// One leaf key of the configuration: its dotted name and how to read and write it.
struct ConfigField: Sendable {
    let key: String
    let expected: String
    let read: @Sendable (RunConfig) -> ConfigValue
    private let write: @Sendable (inout RunConfig, ConfigValue) -> FieldProblem?

    /// A top-level key or a key whose section path is spelled out, e.g. `\.data.dir`.
    init<T>(_ key: String, _ path: WritableKeyPath<RunConfig, T> & Sendable, _ converter: Converter<T>) {
        self.init(key, converter, get: { $0[keyPath: path] }, set: { $0[keyPath: path] = $1 })
    }

    /// A key inside a section given separately, so one builder serves sections of the same type.
    init<S, T>(_ key: String, _ section: WritableKeyPath<RunConfig, S> & Sendable,
               _ leaf: WritableKeyPath<S, T> & Sendable, _ converter: Converter<T>) {
        self.init(key, converter, get: { $0[keyPath: section][keyPath: leaf] },
                  set: { $0[keyPath: section][keyPath: leaf] = $1 })
    }

    private init<T>(_ key: String, _ converter: Converter<T>, get: @escaping @Sendable (RunConfig) -> T,
                    set: @escaping @Sendable (inout RunConfig, T) -> Void) {
        self.key = key
        expected = converter.expected
        read = { converter.encode(get($0)) }
        write = { config, value in
            switch converter.decode(value) {
            case .success(let v):
                set(&config, v)
                return nil
            case .failure(let problem):
                return problem
            }
        }
    }

    /// Sets the key to `value`, or explains (with key, value, expected and origin) why it cannot.
    func assign(_ value: ConfigValue, to config: inout RunConfig, at origin: ConfigOrigin?) throws {
        switch write(&config, value) {
        case nil:
            return
        case .wrongType?:
            throw ConfigError.wrongType(key: key, value: value.typedText, expected: expected, at: origin)
        case .outOfRange?:
            throw ConfigError.outOfRange(key: key, value: value.description, expected: expected, at: origin)
        case .unknownValue(let allowed)?:
            throw ConfigError.unknownEnumValue(key: key, value: value.quotedText, allowed: allowed, at: origin)
        }
    }

    /// Checks the key's current value: the same test a user-given value passes.
    func check(_ config: RunConfig) throws {
        var scratch = config
        try assign(read(config), to: &scratch, at: nil)
    }
}

// MARK: - Converters

/// Integral numbers count as integers, so a sweep may pass `epochs: 100.0`.
private func intValue(_ value: ConfigValue) -> Int? {
    switch value {
    case .int(let i): return i
    case .double(let d): return Int(exactly: d)
    default: return nil
    }
}

extension Converter where T == Int {
    static func integer(min: Int) -> Converter {
        Converter(expected: "an integer >= \(min)",
                  decode: { value in
                      guard let i = intValue(value) else { return .failure(.wrongType) }
                      return i >= min ? .success(i) : .failure(.outOfRange)
                  },
                  encode: { .int($0) })
    }
}

/// The admissible interval of a real-valued key; non-finite values never are.
enum NumberRange: Sendable {
    case positive, nonNegative, unitInterval, unitHalfOpen

    var text: String {
        switch self {
        case .positive: return "> 0"
        case .nonNegative: return ">= 0"
        case .unitInterval: return "in [0, 1]"
        case .unitHalfOpen: return "in [0, 1)"
        }
    }

    func contains(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        switch self {
        case .positive: return x > 0
        case .nonNegative: return x >= 0
        case .unitInterval: return x >= 0 && x <= 1
        case .unitHalfOpen: return x >= 0 && x < 1
        }
    }
}

extension Converter where T == Double {
    static func number(_ range: NumberRange) -> Converter {
        Converter(expected: "a number \(range.text)",
                  decode: { value in
                      let x: Double
                      switch value {
                      case .int(let i): x = Double(i)
                      case .double(let d): x = d
                      default: return .failure(.wrongType)
                      }
                      return range.contains(x) ? .success(x) : .failure(.outOfRange)
                  },
                  encode: { .double($0) })
    }
}

extension Converter where T == Bool {
    static var flag: Converter {
        Converter(expected: "true or false",
                  decode: { if case .bool(let b) = $0 { .success(b) } else { .failure(.wrongType) } },
                  encode: { .bool($0) })
    }
}

extension Converter where T == String {
    static var text: Converter {
        Converter(expected: "a string",
                  decode: { if case .string(let s) = $0 { .success(s) } else { .failure(.wrongType) } },
                  encode: { .string($0) })
    }
}

extension Converter where T: ConfigEnum {
    static var choice: Converter {
        let allowed = T.allCases.map(\.rawValue)
        return Converter(expected: "one of: " + allowed.joined(separator: ", "),
                         decode: { value in
                             switch value {
                             case .null, .list: return .failure(.wrongType)
                             case .string(let s):
                                 return T(rawValue: s).map { .success($0) } ?? .failure(.unknownValue(allowed: allowed))
                             case .bool, .int, .double: return .failure(.unknownValue(allowed: allowed))
                             }
                         },
                         encode: { .string($0.rawValue) })
    }
}

extension Converter where T == [Int] {
    /// Layer widths: at least `minCount` integers, each ≥ 1.
    static func widths(minCount: Int) -> Converter {
        let count = minCount == 1 ? "a non-empty list" : "a list of at least \(minCount)"
        return Converter(expected: "\(count) of integers >= 1",
                         decode: { value in
                             guard case .list(let items) = value else { return .failure(.wrongType) }
                             let widths = items.compactMap(intValue)
                             guard widths.count == items.count else { return .failure(.wrongType) }
                             return widths.count >= minCount && widths.allSatisfy { $0 >= 1 }
                                 ? .success(widths) : .failure(.outOfRange)
                         },
                         encode: { .list($0.map(ConfigValue.int)) })
    }
}

/// The values of a per-layer setting: a list's items, or a bare number as a list of one, so that a
/// sweep can sample one value for every layer (`tp.fb_sigma: {loguniform: [0.01, 0.5]}`).
private func perLayerItems(_ value: ConfigValue) -> [ConfigValue]? {
    switch value {
    case .list(let items): return items
    case .int, .double: return [value]
    case .null, .bool, .string: return nil
    }
}

extension Converter where T == [Double] {
    /// A list of numbers, each in `range`, with at least `minCount` of them (per-layer settings).
    /// A bare number is a list of one.
    static func numbers(_ range: NumberRange, minCount: Int) -> Converter {
        let count = minCount == 0 ? "a list" : minCount == 1 ? "a non-empty list" : "a list of at least \(minCount)"
        return Converter(expected: "a number or \(count) of numbers \(range.text)",
                         decode: { value in
                             guard let items = perLayerItems(value) else { return .failure(.wrongType) }
                             var numbers: [Double] = []
                             for item in items {
                                 switch item {
                                 case .int(let i): numbers.append(Double(i))
                                 case .double(let d): numbers.append(d)
                                 default: return .failure(.wrongType)
                                 }
                             }
                             return numbers.count >= minCount && numbers.allSatisfy(range.contains)
                                 ? .success(numbers) : .failure(.outOfRange)
                         },
                         encode: { .list($0.map(ConfigValue.double)) })
    }
}

extension Converter where T == [Int] {
    /// A possibly empty list of integers, each ≥ `min` (per-layer step counts); a bare integer is a
    /// list of one.
    static func integers(min: Int) -> Converter {
        Converter(expected: "an integer or a list of integers >= \(min)",
                  decode: { value in
                      guard let items = perLayerItems(value) else { return .failure(.wrongType) }
                      let numbers = items.compactMap(intValue)
                      guard numbers.count == items.count else { return .failure(.wrongType) }
                      return numbers.allSatisfy { $0 >= min } ? .success(numbers) : .failure(.outOfRange)
                  },
                  encode: { .list($0.map(ConfigValue.int)) })
    }
}
