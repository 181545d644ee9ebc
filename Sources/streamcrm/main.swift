import Foundation
import StreamCRM

// The whole command line lives in the StreamCRM module; this file only hands over.
exit(StreamCRMCommand.main(CommandLine.arguments))
