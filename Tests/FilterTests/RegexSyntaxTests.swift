import Testing

@testable import CCFilter

/// `matches()` syntax beyond what the Python differential in RegexTests can
/// check (PCRE-only escapes, flags, Unicode classes), with answers worked
/// out by hand, and every refusal with its exact message.
struct RegexSyntaxTests {
    static func matches(_ pattern: String, _ text: String) throws -> Bool {
        try FilterRegex(pattern).firstMatch(in: Array(text.unicodeScalars))
    }

    @Test(arguments: [
        // Empty pattern and empty alternatives match everywhere.
        ("", "abc", true), ("a|", "xyz", true), ("()", "", true),
        // Control escapes.
        ("\\t", "a\tb", true), ("\\r\\n", "a\r\n", true), ("\\f", "\u{0C}", true), ("\\v", "\u{0B}", true),
        ("\\e\\[0m", "\u{1B}[0m", true), ("\\e", "e", false), ("a\\0", "a\u{0}", true), ("a\\0", "a0", false),
        // \b is a backspace inside a class, a word boundary outside.
        ("[\\b]", "\u{08}", true), ("[\\b]", "b", false),
        // Anchors: \A start, \z the very end, \Z (and $) also before a final newline.
        ("\\Aab", "ab", true), ("\\Aab", "cab", false), ("ab\\z", "ab", true), ("ab\\z", "ab\n", false),
        ("ab\\Z", "ab\n", true), ("ab\\Z", "ab\nc", false), ("ab$", "ab\n", true),
        // A quantifier on an assertion repeats nothing.
        ("^*ab", "ab", true), ("x\\b+", "x y", true),
        // \x and \u, braced or fixed width.
        ("\\x{41}", "A", true), ("\\u{e9}", "é", true), ("\\u00e9", "é", true), ("\\u{1F600}", "😀", true),
        // Case-insensitive matching beyond ASCII, in literals and classes.
        ("(?i)É", "é", true), ("(?i)[é]", "É", true), ("(?i)[É]", "é", true), ("[É]", "é", false),
        ("(?i)İ", "İ", true), ("(?i)[a-z]", "Q", true),
        // Flags: (?-i) turns case-insensitivity off again; U, u, w change no yes/no answer.
        ("(?i)a(?-i)b", "AB", false), ("(?i)a(?-i)b", "Ab", true), ("(?U)a+", "aa", true), ("(?u)é", "é", true),
        ("(?i:a)b", "Ab", true), ("(?i:a)b", "AB", false),
        // \w \d \s on Unicode: letters, decimal digits, combining marks, spaces.
        ("^\\w$", "é", true), ("^\\w$", "٣", true), ("^\\w$", "\u{0301}", true), ("^\\w$", "€", false),
        ("^\\d$", "٣", true), ("^\\d$", "Ⅳ", false), ("^\\s$", "\u{00A0}", true), ("^\\s$", "\u{2003}", true),
        ("^\\s$", "é", false), ("^[\\W]$", "€", true), ("^[\\D]$", "٣", false),
        // A '{' that does not start a repetition is a literal.
        ("a{,5}", "a{,5}", true), ("a{2,x}", "a{2,x}", true), ("a{2,x}", "aa", false), ("a{2", "a{2", true),
        ("a*{x", "aa{x", true), ("a{2}{", "aa{", true),
        // Escaped punctuation, ranges with an escaped end, named groups.
        ("[a-\\x{63}]", "c", true), ("[a-\\x{63}]", "d", false), ("\\.\\*\\{", ".*{", true),
        ("(?P<n>a)(?'m'b)", "ab", true), ("(?<n>a|b)c", "bc", true), ("(?'m'b)", "m'", false),
    ])
    func matchesAsPCREWould(pattern: String, text: String, expected: Bool) throws {
        #expect(try Self.matches(pattern, text) == expected, "\(pattern.debugDescription) on \(text.debugDescription)")
    }

    /// `(?m)` and `(?s)` were accepted and ignored, so `(?s)a.b` never
    /// matched across a newline; `(?'name'…)` took the quote as the end
    /// of the name and matched the name's text.
    @Test(arguments: [
        ("(?s)a.b", "a\nb", true), ("a.b", "a\nb", false), ("(?s:a.)b", "a\nb", true), ("(?s:a).b", "a\nb", false),
        ("(?s)a(?-s).b", "a\nb", false), ("(?m)^b$", "a\nb\nc", true), ("^b$", "a\nb\nc", false),
        ("(?m)a$", "a\nb", true), ("(?m)^a", "a", true), ("(?m)b$", "ab", true), ("(?m)\\Ab", "a\nb", false),
        ("(?m:^b)|x", "a\nb", true), ("(?m:a)\\n^b", "a\nb", false), ("(?ims)^A.B$", "x\na\nb", true),
        ("(?'n'ab)c", "abc", true), ("(?P<n>ab)c", "abc", true),
    ])
    func honoursFlagsAndNamedGroups(pattern: String, text: String, expected: Bool) throws {
        #expect(try Self.matches(pattern, text) == expected, "\(pattern.debugDescription) on \(text.debugDescription)")
    }

    @Test(arguments: [
        ("\\", "invalid regular expression at offset 1: '\\' at the end of the pattern"),
        ("a\\", "invalid regular expression at offset 2: '\\' at the end of the pattern"),
        ("\\xZZ", "invalid regular expression at offset 4: bad \\x escape"),
        ("\\u{110000}", "invalid regular expression at offset 10: bad \\u escape"),
        ("\\x{D800}", "invalid regular expression at offset 8: bad \\x escape"),
        (
            "\\q",
            "invalid regular expression at offset 2: '\\q' is not supported (no backreferences or classes beyond \\d \\w \\s)"
        ),
        (
            "(a)\\1",
            "invalid regular expression at offset 5: '\\1' is not supported (no backreferences or classes beyond \\d \\w \\s)"
        ),
        (
            "[\\B]",
            "invalid regular expression at offset 3: '\\B' is not supported (no backreferences or classes beyond \\d \\w \\s)"
        ),
        ("[z-a]", "invalid regular expression at offset 4: range out of order"),
        ("[a-\\d]", "invalid regular expression at offset 5: bad range end"),
        (
            "[[:alpha:]]",
            "invalid regular expression at offset 2: POSIX classes [:…:] are not supported; use \\d, \\w, \\s or ranges"
        ),
        ("[abc", "invalid regular expression at offset 4: missing ']'"),
        ("a{3,2}", "invalid regular expression at offset 6: {3,2}: the maximum is below the minimum"),
        ("a{10001}", "invalid regular expression at offset 8: repetition count above 10000"),
        ("a{1,10001}", "invalid regular expression at offset 10: repetition count above 10000"),
        ("a**", "invalid regular expression at offset 2: a quantifier cannot follow another; add a group"),
        ("a*{2}", "invalid regular expression at offset 2: a quantifier cannot follow another; add a group"),
        ("a+?+", "invalid regular expression at offset 3: a quantifier cannot follow another; add a group"),
        ("*a", "invalid regular expression at offset 1: '*' has nothing to repeat"),
        ("(?", "invalid regular expression at offset 2: unterminated group"),
        ("(?i", "invalid regular expression at offset 3: unterminated group"),
        ("(?<name", "invalid regular expression at offset 7: unterminated group name"),
        ("(?q)", "invalid regular expression at offset 2: unknown group flag 'q' (flags: i, m, s)"),
        ("(?x)a b", "invalid regular expression at offset 2: unknown group flag 'x' (flags: i, m, s)"),
        ("(?P=n)", "invalid regular expression at offset 2: unknown group flag 'P' (flags: i, m, s)"),
        ("(?'name", "invalid regular expression at offset 7: unterminated group name"),
        (
            "(?=a)",
            "invalid regular expression at offset 2: lookaround is not supported (matches() uses a linear-time engine)"
        ),
        (
            "(?<!a)b",
            "invalid regular expression at offset 2: lookaround is not supported (matches() uses a linear-time engine)"
        ),
        ("(a", "invalid regular expression at offset 2: missing ')'"),
        ("a)", "invalid regular expression at offset 1: unmatched ')'"),
        (String(repeating: "(", count: 257), "invalid regular expression at offset 257: groups nested deeper than 256"),
        ("(a{100}){101}", "regular expression too large (more than 10000 states after expanding repetitions)"),
    ])
    func refusesWithTheOffset(pattern: String, message: String) {
        #expect(throws: FilterRuntimeError(message)) { try FilterRegex(pattern) }
    }
}
