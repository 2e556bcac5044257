import ArgumentParser

/// `-v`: by default a command that succeeds prints nothing on stderr.
package struct VerbosityOptions: ParsableArguments {
    @Flag(
        name: .shortAndLong,
        help: "Print progress and a closing summary (lines, results, rate) on stderr.")
    package var verbose = false

    package init() {}
}
