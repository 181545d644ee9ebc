#if canImport(Glibc)
import Glibc
#endif
import CRMModel
import StreamCRM

// The StreamCRM benchmarks (issue 7). `Benchmarks help` lists the parts; `Benchmarks all` runs them
// in order and prints, as its last line, one JSON object with the headline figures.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    let code = try BenchmarkCommand.run(arguments)
    exit(code)
} catch {
    FileHandleErr.write("benchmarks: \(error)\n")
    exit(1)
}
