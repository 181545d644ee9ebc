// TEMPORARY: replaced by the persistence branch.
extension CRMEngine {
    public func encodeCustomer(_ userID: String) -> (partition: Int32, state: [UInt8])? { nil }
    public func restoreCustomer(userID: String, partition: Int32, from bytes: UnsafeRawBufferPointer) throws {}
    public func encodeGlobals() -> [(key: String, state: [UInt8])] { [] }
    public func restoreGlobals(_ load: (String) throws -> [UInt8]?) throws {}
}
