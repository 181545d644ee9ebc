import StreamCRM
print("streamcrm \(StreamCRMInfo.version)")
